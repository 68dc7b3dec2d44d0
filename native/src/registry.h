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

void weft_owned_add(const char* name);
void weft_owned_remove(const char* name);
// Unlinks every owned name from /dev/shm; returns how many were removed.
int weft_owned_unlink_all(void);
