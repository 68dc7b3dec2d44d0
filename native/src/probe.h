// The study's memory read probe: a C loop over a Float64Array, the ceiling the study's sums are compared with.
#pragma once
#include <node_api.h>

napi_value weft_read_float64(napi_env env, napi_callback_info info);
