// readFloat64(view, lo, hi): the sum of a Float64Array's elements lo..hi-1. The study times it on every worker
// thread at once to probe the machine's memory read bandwidth (as STREAM does, in C). Eight independent
// accumulators keep the loop waiting on memory rather than on one chain of additions; in JavaScript the same
// loop is held back by its bounds checks and scalar loads, so it could not serve as the ceiling.
#include "probe.h"
#include "util.h"

napi_value weft_read_float64(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!weft_args(env, info, 3, argv)) return NULL;
  char* data;
  size_t byte_length;
  bool shared;
  int type;
  if (!weft_view_memory(env, argv[0], &data, &byte_length, &shared, &type)) return NULL;
  if (type != napi_float64_array) {
    weft_throw_type(env, "readFloat64: the view must be a Float64Array");
    return NULL;
  }
  double lo_d, hi_d;
  if (!weft_number(env, argv[1], "lo", &lo_d) || !weft_number(env, argv[2], "hi", &hi_d)) return NULL;
  size_t length = byte_length / sizeof(double);
  if (!(lo_d >= 0 && lo_d <= hi_d && hi_d <= (double)length && (double)(size_t)lo_d == lo_d && (double)(size_t)hi_d == hi_d)) {
    weft_throw_range(env, "readFloat64: need integers 0 <= lo <= hi <= %zu, got lo %g, hi %g", length, lo_d, hi_d);
    return NULL;
  }
  const double* a = (const double*)data;
  size_t i = (size_t)lo_d, hi = (size_t)hi_d;
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
  for (; i + 8 <= hi; i += 8) {
    s0 += a[i];
    s1 += a[i + 1];
    s2 += a[i + 2];
    s3 += a[i + 3];
    s4 += a[i + 4];
    s5 += a[i + 5];
    s6 += a[i + 6];
    s7 += a[i + 7];
  }
  for (; i < hi; i++) s0 += a[i];
  napi_value result;
  NAPI_OK(env, napi_create_double(env, ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)), &result));
  return result;
}
