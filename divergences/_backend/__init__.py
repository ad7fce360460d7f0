"""Private machinery shared by every subpackage: the lowest layer of the library.

What lives here: the array layer (``array``: converting inputs, the array-API
namespace of numpy, torch or JAX, weighted means, value checks), the special
functions the array API standard lacks (``special``), scalar-argument checks and
random generators (``checks``), progress bars (``progress``), sample files
(``io``), the coercion and exact rescaling of samples (``samples``) and the pieces of
torch training shared by every trained test and estimator (``training``).

What it may import: numpy, scipy, torch, array-api-compat and its own modules,
never another part of ``divergences``.  Nothing here is public API; the names are
imported by the subpackages above it.
"""
