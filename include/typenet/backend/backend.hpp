#pragma once
// Backend tags. A backend is a template parameter of Model, never a virtual call:
//   OneDnn          oneDNN 2.6 CPU primitives, f32 (the default)
//   Reference<T>    plain loops in NCHW, T = float or double: the tests' oracle
namespace typenet {

struct OneDnn { using scalar = float; };
template <class T = double> struct Reference { using scalar = T; };

}  // namespace typenet
