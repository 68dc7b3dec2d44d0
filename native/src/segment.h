// /dev/shm segments mapped as SharedArrayBuffers, and the process-wide registries behind them.
#pragma once
#include <v8.h>

namespace weft {

void Create(const v8::FunctionCallbackInfo<v8::Value>& args);
void Open(const v8::FunctionCallbackInfo<v8::Value>& args);
void Unlink(const v8::FunctionCallbackInfo<v8::Value>& args);
void SegmentOf(const v8::FunctionCallbackInfo<v8::Value>& args);
void MappingCount(const v8::FunctionCallbackInfo<v8::Value>& args);
void Own(const v8::FunctionCallbackInfo<v8::Value>& args);
void Disown(const v8::FunctionCallbackInfo<v8::Value>& args);
void UnlinkOwned(const v8::FunctionCallbackInfo<v8::Value>& args);

}  // namespace weft
