import CBLAS

/// The one place Rhetor calls BLAS.
enum BLAS {
    /// C[m x n] = A[m x k] * B[k x n], all row-major float32.
    ///
    /// The corresponding C function is `cblas_sgemm`.
    static func sgemm(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
                    1, a, Int32(k), b, Int32(n), 0, c, Int32(n))
    }
}
