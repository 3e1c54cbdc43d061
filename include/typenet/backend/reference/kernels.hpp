#pragma once
// Every kernel of the reference backend, one file per op (the oneDNN backend has the same shape).
#include "typenet/backend/reference/batch_norm.hpp"
#include "typenet/backend/reference/context.hpp"
#include "typenet/backend/reference/conv.hpp"
#include "typenet/backend/reference/dense.hpp"
#include "typenet/backend/reference/dropout.hpp"
#include "typenet/backend/reference/eltwise.hpp"
#include "typenet/backend/reference/flatten.hpp"
#include "typenet/backend/reference/pool.hpp"
