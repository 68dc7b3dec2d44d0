// Segment creation and mapping.
//
// The mapping is wrapped in a V8 BackingStore whose deleter munmaps, so the memory lives exactly
// as long as some SharedArrayBuffer (in any isolate of this process: worker threads share the
// store) still refers to it. Unlinking the name only removes it from /dev/shm; the pages are
// returned to the system once the last mapping in every process is gone.
//
// Two registries are process-wide (shared by all isolates, hence the mutex) so that a worker
// thread can recognise a mapped buffer it received by postMessage, and so that cleanup at exit
// sees segments created from any thread.
#include "segment.h"
#include "errors.h"

#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace weft {

namespace {

struct Mapping {
  size_t length;     // bytes visible to JavaScript
  size_t mapLength;  // bytes actually mapped (at least 1: mmap rejects 0)
  std::string name;
};

// Heap-allocated and never freed: the atexit handler may run after static destructors.
std::mutex& Lock() {
  static std::mutex* m = new std::mutex();
  return *m;
}
std::map<uintptr_t, Mapping>& Mappings() {
  static auto* m = new std::map<uintptr_t, Mapping>();
  return *m;
}
std::set<std::string>& Owned() {
  static auto* s = new std::set<std::string>();
  return *s;
}
pid_t g_owner_pid = 0;  // pid that registered the atexit handler (a fork must not unlink)

std::string ShmPath(const std::string& name) { return "/dev/shm/" + name; }

// Names become a single file under /dev/shm: no slashes, no dot files, bounded length.
bool ValidName(v8::Isolate* isolate, v8::Local<v8::Value> value, std::string* out) {
  if (!value->IsString()) {
    ThrowType(isolate, "segment name must be a string");
    return false;
  }
  v8::String::Utf8Value utf8(isolate, value);
  std::string name(*utf8, utf8.length());
  bool ok = !name.empty() && name.size() <= 200 && name[0] != '.';
  for (char c : name) {
    bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '-' || c == '_' || c == '.';
    if (!allowed) ok = false;
  }
  if (!ok) {
    ThrowType(isolate, "invalid segment name \"" + name +
                           "\" (1-200 characters of [A-Za-z0-9._-], not starting with '.')");
    return false;
  }
  *out = name;
  return true;
}

void Unmap(void* data, size_t /*length*/, void* /*deleter_data*/) {
  size_t mapLength = 0;
  {
    std::lock_guard<std::mutex> guard(Lock());
    auto it = Mappings().find(reinterpret_cast<uintptr_t>(data));
    if (it == Mappings().end()) return;
    mapLength = it->second.mapLength;
    Mappings().erase(it);
  }
  munmap(data, mapLength);
}

// Maps fd and wraps it in a SharedArrayBuffer; closes fd in every case.
v8::Local<v8::Value> MapAsBuffer(v8::Isolate* isolate, int fd, size_t length,
                                 const std::string& name, bool* failed) {
  size_t mapLength = length == 0 ? 1 : length;
  void* data = mmap(nullptr, mapLength, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  int err = errno;
  close(fd);
  if (data == MAP_FAILED) {
    ThrowErrno(isolate, err, "mmap",
               "cannot map shared memory segment \"" + ShmPath(name) + "\" (" +
                   std::to_string(length) + " bytes)",
               ShmPath(name));
    *failed = true;
    return v8::Undefined(isolate);
  }
  {
    std::lock_guard<std::mutex> guard(Lock());
    Mappings()[reinterpret_cast<uintptr_t>(data)] = Mapping{length, mapLength, name};
  }
  std::unique_ptr<v8::BackingStore> store =
      v8::SharedArrayBuffer::NewBackingStore(data, length, Unmap, nullptr);
  return v8::SharedArrayBuffer::New(isolate, std::move(store));
}

void UnlinkOwnedAtExit() {
  if (getpid() != g_owner_pid) return;
  std::lock_guard<std::mutex> guard(Lock());
  for (const std::string& name : Owned()) unlink(ShmPath(name).c_str());
  Owned().clear();
}

}  // namespace

// create(name, byteLength): a new segment, exclusive, mode 0600, fully reserved.
void Create(const v8::FunctionCallbackInfo<v8::Value>& args) {
  v8::Isolate* isolate = args.GetIsolate();
  std::string name;
  if (!ValidName(isolate, args[0], &name)) return;
  if (!args[1]->IsNumber()) return ThrowType(isolate, "byteLength must be a number");
  double requested = args[1].As<v8::Number>()->Value();
  if (!(requested >= 0) || requested > 9007199254740991.0 || requested != static_cast<double>(static_cast<uint64_t>(requested))) {
    return ThrowRange(isolate, "byteLength must be a non-negative safe integer");
  }
  size_t length = static_cast<size_t>(requested);
  std::string path = ShmPath(name);
  std::string what = "cannot create shared memory segment \"" + path + "\" (" +
                     std::to_string(length) + " bytes)";

  int fd = open(path.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) return ThrowErrno(isolate, errno, "open", what, path);
  // open() applies the umask; make the mode exactly 0600 whatever the umask is.
  (void)fchmod(fd, 0600);
  size_t fileLength = length == 0 ? 1 : length;
  if (ftruncate(fd, static_cast<off_t>(fileLength)) != 0) {
    int err = errno;
    close(fd);
    unlink(path.c_str());
    return ThrowErrno(isolate, err, "ftruncate", what, path);
  }
  // tmpfs allocates lazily: without reserving now, a full /dev/shm would show up later as
  // SIGBUS on first touch of a page. posix_fallocate turns that into ENOSPC here.
  int err = posix_fallocate(fd, 0, static_cast<off_t>(fileLength));
  if (err != 0 && err != EOPNOTSUPP && err != EINVAL) {
    close(fd);
    unlink(path.c_str());
    return ThrowErrno(isolate, err, "posix_fallocate", what, path);
  }
  bool failed = false;
  v8::Local<v8::Value> buffer = MapAsBuffer(isolate, fd, length, name, &failed);
  if (failed) {
    unlink(path.c_str());
    return;
  }
  args.GetReturnValue().Set(buffer);
}

// open(name): maps an existing segment; its size comes from the file.
void Open(const v8::FunctionCallbackInfo<v8::Value>& args) {
  v8::Isolate* isolate = args.GetIsolate();
  std::string name;
  if (!ValidName(isolate, args[0], &name)) return;
  std::string path = ShmPath(name);
  std::string what = "cannot open shared memory segment \"" + path + "\"";
  int fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return ThrowErrno(isolate, errno, "open", what, path);
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int err = errno;
    close(fd);
    return ThrowErrno(isolate, err, "fstat", what, path);
  }
  bool failed = false;
  v8::Local<v8::Value> buffer =
      MapAsBuffer(isolate, fd, static_cast<size_t>(st.st_size), name, &failed);
  if (!failed) args.GetReturnValue().Set(buffer);
}

// unlink(name): removes the name from /dev/shm; existing mappings stay valid.
void Unlink(const v8::FunctionCallbackInfo<v8::Value>& args) {
  v8::Isolate* isolate = args.GetIsolate();
  std::string name;
  if (!ValidName(isolate, args[0], &name)) return;
  std::string path = ShmPath(name);
  if (unlink(path.c_str()) != 0) {
    return ThrowErrno(isolate, errno, "unlink",
                      "cannot unlink shared memory segment \"" + path + "\"", path);
  }
}

// segmentOf(sab): name of the mapping that holds sab's memory, or undefined.
void SegmentOf(const v8::FunctionCallbackInfo<v8::Value>& args) {
  v8::Isolate* isolate = args.GetIsolate();
  if (!args[0]->IsSharedArrayBuffer()) return;
  uintptr_t data = reinterpret_cast<uintptr_t>(args[0].As<v8::SharedArrayBuffer>()->Data());
  std::string name;
  {
    std::lock_guard<std::mutex> guard(Lock());
    auto& mappings = Mappings();
    auto it = mappings.upper_bound(data);
    if (it == mappings.begin()) return;
    --it;
    if (data >= it->first + it->second.mapLength) return;
    name = it->second.name;
  }
  args.GetReturnValue().Set(Str(isolate, name));
}

void MappingCount(const v8::FunctionCallbackInfo<v8::Value>& args) {
  std::lock_guard<std::mutex> guard(Lock());
  args.GetReturnValue().Set(static_cast<double>(Mappings().size()));
}

// own(name): this process created the segment and removes it at exit (see UnlinkOwnedAtExit,
// a last resort behind the JavaScript exit and signal handlers).
void Own(const v8::FunctionCallbackInfo<v8::Value>& args) {
  std::string name;
  if (!ValidName(args.GetIsolate(), args[0], &name)) return;
  std::lock_guard<std::mutex> guard(Lock());
  if (g_owner_pid == 0) {
    g_owner_pid = getpid();
    atexit(UnlinkOwnedAtExit);
  }
  Owned().insert(name);
}

void Disown(const v8::FunctionCallbackInfo<v8::Value>& args) {
  std::string name;
  if (!ValidName(args.GetIsolate(), args[0], &name)) return;
  std::lock_guard<std::mutex> guard(Lock());
  Owned().erase(name);
}

// unlinkOwned(): removes every owned name (already-missing ones are fine); returns the count.
void UnlinkOwned(const v8::FunctionCallbackInfo<v8::Value>& args) {
  std::lock_guard<std::mutex> guard(Lock());
  int removed = 0;
  for (const std::string& name : Owned()) {
    if (unlink(ShmPath(name).c_str()) == 0) removed++;
  }
  Owned().clear();
  args.GetReturnValue().Set(removed);
}

}  // namespace weft
