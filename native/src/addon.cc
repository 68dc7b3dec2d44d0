// Entry point of weft's native addon. Context-aware (NODE_MODULE_INIT), so it can be loaded
// by the main thread and by any number of worker threads of the same process.
#include <node.h>

#include "futex.h"
#include "segment.h"

namespace {

void Method(v8::Local<v8::Context> context, v8::Local<v8::Object> exports, const char* name,
            v8::FunctionCallback fn) {
  v8::Isolate* isolate = context->GetIsolate();
  v8::Local<v8::Function> f = v8::FunctionTemplate::New(isolate, fn)->GetFunction(context).ToLocalChecked();
  v8::Local<v8::String> key = v8::String::NewFromUtf8(isolate, name).ToLocalChecked();
  f->SetName(key);
  exports->Set(context, key, f).Check();
}

}  // namespace

NODE_MODULE_INIT(/* exports, module, context */) {
  weft::InitFutex(context->GetIsolate());
  Method(context, exports, "create", weft::Create);
  Method(context, exports, "open", weft::Open);
  Method(context, exports, "unlink", weft::Unlink);
  Method(context, exports, "segmentOf", weft::SegmentOf);
  Method(context, exports, "mappingCount", weft::MappingCount);
  Method(context, exports, "own", weft::Own);
  Method(context, exports, "disown", weft::Disown);
  Method(context, exports, "unlinkOwned", weft::UnlinkOwned);
  Method(context, exports, "futexWait", weft::FutexWait);
  Method(context, exports, "futexWake", weft::FutexWake);
  Method(context, exports, "futexWaitAsync", weft::FutexWaitAsync);
}
