#define _GNU_SOURCE  // F_OFD_SETLK, F_OFD_GETLK
#include "registry.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  uintptr_t start;
  size_t length;      // bytes visible to JavaScript
  size_t map_length;  // bytes mapped from the file
  bool remapped;      // V8 owns the address range (the "remap" path)
  char name[WEFT_NAME_BYTES];
} Mapping;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static Mapping* mappings = NULL;
static size_t mapping_count = 0, mapping_capacity = 0;

typedef struct {
  char name[WEFT_NAME_BYTES];
  int lock_fd;  // holds the owner lock; -1 if it could not be taken
} Owned;

static Owned* owned = NULL;
static size_t owned_count = 0, owned_capacity = 0;
static pid_t owner_pid = 0;  // the pid that registered the atexit hook (a fork must not unlink)

static void* grow(void* items, size_t* capacity, size_t item_size) {
  size_t next = *capacity ? *capacity * 2 : 16;
  void* bigger = realloc(items, next * item_size);
  if (bigger) *capacity = next;
  return bigger;
}

static void erase_mapping(size_t i) {
  mappings[i] = mappings[--mapping_count];
}

void weft_registry_add(uintptr_t start, size_t length, size_t map_length, bool remapped, const char* name) {
  pthread_mutex_lock(&lock);
  // An entry overlapping the new range is stale: its pages were unmapped (by V8, on the remap
  // path) and the addresses reused.
  for (size_t i = mapping_count; i-- > 0;) {
    Mapping* m = &mappings[i];
    if (m->start < start + map_length && start < m->start + m->map_length) erase_mapping(i);
  }
  if (mapping_count == mapping_capacity) {
    Mapping* bigger = grow(mappings, &mapping_capacity, sizeof(Mapping));
    if (!bigger) {
      pthread_mutex_unlock(&lock);
      return;  // out of memory: the buffer works, only segmentOf will not know it
    }
    mappings = bigger;
  }
  Mapping* m = &mappings[mapping_count++];
  m->start = start;
  m->length = length;
  m->map_length = map_length;
  m->remapped = remapped;
  snprintf(m->name, sizeof m->name, "%s", name);
  pthread_mutex_unlock(&lock);
}

size_t weft_registry_remove(uintptr_t start) {
  size_t map_length = 0;
  pthread_mutex_lock(&lock);
  for (size_t i = 0; i < mapping_count; i++) {
    if (mappings[i].start == start) {
      map_length = mappings[i].map_length;
      erase_mapping(i);
      break;
    }
  }
  pthread_mutex_unlock(&lock);
  return map_length;
}

// Whether the pages at m still map /dev/shm/<name>: /proc/self/map_files names every file
// mapping by its exact address range.
static bool still_mapped(const Mapping* m) {
  char link[64], target[512];
  snprintf(link, sizeof link, "/proc/self/map_files/%lx-%lx", (unsigned long)m->start,
           (unsigned long)(m->start + m->map_length));
  ssize_t n = readlink(link, target, sizeof target - 1);
  if (n < 0) return false;
  target[n] = '\0';
  char expected[WEFT_NAME_BYTES + 16];
  int e = snprintf(expected, sizeof expected, "/dev/shm/%s", m->name);
  return strncmp(target, expected, (size_t)e) == 0 && (target[e] == '\0' || target[e] == ' ');
}

bool weft_registry_lookup(uintptr_t address, size_t length, char* out) {
  bool found = false;
  pthread_mutex_lock(&lock);
  for (size_t i = 0; i < mapping_count; i++) {
    Mapping* m = &mappings[i];
    size_t visible = m->length == 0 ? 1 : m->length;
    if (address < m->start || address + length > m->start + visible) continue;
    if (m->remapped && !still_mapped(m)) {
      erase_mapping(i);
      break;
    }
    memcpy(out, m->name, WEFT_NAME_BYTES);
    found = true;
    break;
  }
  pthread_mutex_unlock(&lock);
  return found;
}

size_t weft_registry_count(void) {
  pthread_mutex_lock(&lock);
  size_t n = mapping_count;
  pthread_mutex_unlock(&lock);
  return n;
}

static void unlink_name(const char* name, int* removed) {
  char path[WEFT_NAME_BYTES + 16];
  snprintf(path, sizeof path, "/dev/shm/%s", name);
  if (unlink(path) == 0 && removed) (*removed)++;
}

static void unlink_owned_at_exit(void) {
  if (getpid() != owner_pid) return;
  weft_owned_unlink_all();
}

static int lock_byte0(int fd, int cmd, short type) {
  struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1, .l_pid = 0};
  return fcntl(fd, cmd, &fl);
}

int weft_owner_lock_open(const char* path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -errno;
  if (lock_byte0(fd, F_OFD_SETLK, F_RDLCK) != 0) {
    int err = errno;
    close(fd);
    return -err;
  }
  return fd;
}

int weft_owner_held(const char* path) {
  // O_RDONLY is enough for F_OFD_GETLK; O_NOFOLLOW: never probe through a planted symlink.
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) return -errno;
  struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1, .l_pid = 0};
  int r = fcntl(fd, F_OFD_GETLK, &fl) == 0 ? fl.l_type != F_UNLCK : -errno;
  close(fd);
  return r;
}

static void forget(size_t i) {
  if (owned[i].lock_fd >= 0) close(owned[i].lock_fd);  // drops the owner lock
  owned[i] = owned[--owned_count];
}

int weft_owned_add(const char* name, int lock_fd) {
  pthread_mutex_lock(&lock);
  if (owner_pid == 0) {
    owner_pid = getpid();
    atexit(unlink_owned_at_exit);
  }
  bool known = false;
  for (size_t i = 0; i < owned_count && !known; i++) known = strcmp(owned[i].name, name) == 0;
  int err = 0;
  if (!known && owned_count == owned_capacity) {
    void* bigger = grow(owned, &owned_capacity, sizeof(Owned));
    if (bigger) owned = bigger;
  }
  if (!known && owned_count < owned_capacity) {
    if (lock_fd < 0) {
      char path[WEFT_NAME_BYTES + 16];
      snprintf(path, sizeof path, "/dev/shm/%s", name);
      lock_fd = weft_owner_lock_open(path);
      if (lock_fd < 0) err = -lock_fd;
    }
    Owned* o = &owned[owned_count++];
    snprintf(o->name, sizeof o->name, "%s", name);
    o->lock_fd = lock_fd;
  } else if (known && lock_fd >= 0) {
    close(lock_fd);
  } else if (!known) {
    err = ENOMEM;
    if (lock_fd >= 0) close(lock_fd);
  }
  pthread_mutex_unlock(&lock);
  return err;
}

void weft_owned_remove(const char* name) {
  pthread_mutex_lock(&lock);
  for (size_t i = 0; i < owned_count; i++) {
    if (strcmp(owned[i].name, name) == 0) {
      forget(i);
      break;
    }
  }
  pthread_mutex_unlock(&lock);
}

int weft_owned_unlink_all(void) {
  int removed = 0;
  pthread_mutex_lock(&lock);
  // The name goes before the lock: a sweeper never sees an unlocked name this process still owns.
  while (owned_count > 0) {
    unlink_name(owned[owned_count - 1].name, &removed);
    forget(owned_count - 1);
  }
  pthread_mutex_unlock(&lock);
  return removed;
}
