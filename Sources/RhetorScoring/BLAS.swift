import CBLAS

/// The one place Rhetor calls BLAS.
enum BLAS {
    /// The dense block's logits: `C = X · W`, where `X` is `rows x features` row-major (a
    /// statement per row), `w` holds `W` one output after another (`outputs x features`
    /// row-major, the transpose of the model's `features x outputs`), and `C` comes out
    /// column-major (`c[o * rows + i]` is statement `i`'s output `o`).
    ///
    /// Called column-major as `Xᵀᵀ · Wᵀᵀ`: `cblas_sgemm` with A transposed and B not, both
    /// read with unit stride. The Fortran reference BLAS (Debian's libblas.so.3) then runs its
    /// dot-product loop over the features of one statement and one output, in feature order,
    /// from zero: the same products added in the same order as any of the layouts before, so
    /// the same bits. On 106k sentences (cachegrind) the reference `sgemm` ran 63.3M
    /// instructions row-major, 42.5M with both operands transposed (B read with a stride of
    /// `outputs`), and 37.1M this way.
    static func blockProduct(rows: Int, outputs: Int, features: Int, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
                             into c: UnsafeMutablePointer<Float>) {
        cblas_sgemm(CblasColMajor, CblasTrans, CblasNoTrans, Int32(rows), Int32(outputs), Int32(features),
                    1, x, Int32(features), w, Int32(features), 0, c, Int32(rows))
    }
}
