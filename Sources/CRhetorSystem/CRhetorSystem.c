// The module is header-only (static inline functions in include/CRhetorSystem.h).
