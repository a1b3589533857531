import CBLAS

/// The one place Rhetor calls BLAS.
enum BLAS {
    /// The dense block's logits: `C = X · W`, where `X` is `rows x features` row-major (a
    /// statement per row), `W` is `features x outputs` row-major, and `C` comes out column-major
    /// (`c[o * rows + i]` is statement `i`'s output `o`).
    ///
    /// The corresponding C function is `cblas_sgemm`, called column-major with both operands
    /// transposed. That is the same product as the row-major `X · W`, but it hands the Fortran
    /// reference BLAS (Debian's libblas.so.3) its dot-product loop: each result is a sum over
    /// the features, in feature order, rather than three outputs at a time updated once per
    /// feature (an inner loop of length 3). Both forms add the same products in the same order
    /// from zero, so the reference BLAS gives the same bits. On 106k sentences (cachegrind) the
    /// reference `sgemm` ran 63.3M instructions the row-major way and 42.5M this way.
    static func blockProduct(rows: Int, outputs: Int, features: Int, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
                             into c: UnsafeMutablePointer<Float>) {
        cblas_sgemm(CblasColMajor, CblasTrans, CblasTrans, Int32(rows), Int32(outputs), Int32(features),
                    1, x, Int32(features), w, Int32(outputs), 0, c, Int32(rows))
    }
}
