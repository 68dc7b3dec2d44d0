// Process-wide registries, shared by the main thread and every worker thread (hence a mutex):
// the live mappings (so a thread can tell a mapped buffer's segment name from its address),
// and the names this process created and must remove at exit.
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WEFT_NAME_BYTES 201

void weft_registry_add(uintptr_t start, size_t length, size_t map_length, bool remapped, const char* name);
// Removes the mapping at `start`; returns its mapped length (0 when unknown).
size_t weft_registry_remove(uintptr_t start);
// Copies into out the name of the live mapping holding [address, address + length). For a
// "remap" mapping (whose unmapping V8 does without telling weft) it first checks that the
// pages still are that file's, and forgets the entry when not.
bool weft_registry_lookup(uintptr_t address, size_t length, char* out);
size_t weft_registry_count(void);

// Records `name` as owned by this process. `lock_fd` is a descriptor of the segment that holds
// its owner lock (see segment.c), or -1 to have one opened and locked here; the registry keeps
// it until the name is disowned or unlinked. A name already owned keeps its first descriptor.
// Returns 0, or an errno when the segment cannot be opened or locked (it is owned anyway).
int weft_owned_add(const char* name, int lock_fd);
void weft_owned_remove(const char* name);
// Unlinks every owned name from /dev/shm and drops its owner lock; returns how many were removed.
int weft_owned_unlink_all(void);

// The owner lock: an open-file-description read lock on byte 0 of the segment file, held by the
// owning process while it owns the segment. Opens `path` anew and takes the lock on that
// description; returns its fd or -errno. A description of its own, never the one mapped: a
// mapping holds a reference to the description it was made from, and an OFD lock lasts until a
// description's last reference goes, so a lock on the mapped one would outlive disown and unlink
// for as long as any buffer over the segment lives.
int weft_owner_lock_open(const char* path);
// Whether some process holds the owner lock of `path`: 1 yes, 0 no, -errno when it cannot be
// told (the file cannot be opened, for one).
int weft_owner_held(const char* path);
