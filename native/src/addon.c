// Entry point of weft's native addon, on Node-API (ABI-stable: one binary for every Node).
// Registered per environment, so the main thread and any number of worker threads load it.
#include "buffer.h"
#include "futex.h"
#include "liveness.h"
#include "parent.h"
#include "probe.h"
#include "segment.h"
#include "util.h"

static napi_value export_all(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
      {"create", NULL, weft_create, NULL, NULL, NULL, napi_enumerable, NULL},
      {"open", NULL, weft_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"unlink", NULL, weft_unlink, NULL, NULL, NULL, napi_enumerable, NULL},
      {"segmentOf", NULL, weft_segment_of, NULL, NULL, NULL, napi_enumerable, NULL},
      {"mappingCount", NULL, weft_mapping_count, NULL, NULL, NULL, napi_enumerable, NULL},
      {"own", NULL, weft_own, NULL, NULL, NULL, napi_enumerable, NULL},
      {"disown", NULL, weft_disown, NULL, NULL, NULL, napi_enumerable, NULL},
      {"unlinkOwned", NULL, weft_unlink_owned, NULL, NULL, NULL, napi_enumerable, NULL},
      {"ownerHeld", NULL, weft_owner_held_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"futexWait", NULL, weft_futex_wait, NULL, NULL, NULL, napi_enumerable, NULL},
      {"futexWake", NULL, weft_futex_wake, NULL, NULL, NULL, napi_enumerable, NULL},
      {"futexWaitAsync", NULL, weft_futex_wait_async, NULL, NULL, NULL, napi_enumerable, NULL},
      {"liveToken", NULL, weft_live_token, NULL, NULL, NULL, napi_enumerable, NULL},
      {"liveCheck", NULL, weft_live_check, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setParentDeathSignal", NULL, weft_set_parent_death_signal, NULL, NULL, NULL, napi_enumerable, NULL},
      {"readFloat64", NULL, weft_read_float64, NULL, NULL, NULL, napi_enumerable, NULL},
      {"bufferPath", NULL, NULL, NULL, NULL, weft_string(env, weft_buffer_path()), napi_enumerable, NULL},
  };
  NAPI_OK(env, napi_define_properties(env, exports, sizeof methods / sizeof methods[0], methods));
  NAPI_OK(env, weft_futex_init(env));
  return exports;
}

NAPI_MODULE_INIT() { return export_all(env, exports); }
