/* memhook-front: the PreToolUse hook's first process. Plain C, libc only: no
   C++ runtime, no locale, no database, no bash parser.

   Most of the agent's Bash commands never touch the memory. For those this
   program reads the hook's JSON, sees that the command cannot name the
   mount, and exits 0 without output (the call proceeds unchanged) at the
   cost of a bare process start. For anything else, it hands the same JSON to
   the full `memhook hook` (in its own directory) on stdin, by exec.

   When memhook's hook server runs (interceptor/server.h), the request goes
   to it over a unix socket instead: a warm process answers as `memhook
   hook` would, without starting the C++ program again. Without a server,
   memhook is exec'ed with "--front" and starts one for the next calls.

   "Cannot name the mount" is the same text test as fastpath::MayTouchMount
   (fastpath/engine.cc), made more conservative: whenever this program is
   not sure (another event or tool, malformed or escaped JSON, a
   MEMHOOK_MOUNT it does not read, a cwd that mentions the mount's name), it
   execs memhook, which decides. It never answers a command itself. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* The default mount, relative to $HOME (interceptor/hook.cc). */
#define MOUNT_PARENT ".memhook"
#define MOUNT_BASE "memory"

struct Text {
  char* data;
  size_t size;
};

static int ReadAll(int fd, struct Text* out) {
  size_t capacity = 8192;
  out->data = malloc(capacity);
  out->size = 0;
  if (out->data == NULL) return -1;
  for (;;) {
    if (out->size == capacity) {
      char* grown = realloc(out->data, capacity * 2);
      if (grown == NULL) return -1;
      out->data = grown;
      capacity *= 2;
    }
    ssize_t n = read(fd, out->data + out->size, capacity - out->size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) return 0;
    out->size += (size_t)n;
  }
}

/* ------------------------------------------------------------------ JSON
   Just enough of a JSON reader to find four strings: hook_event_name,
   tool_name and cwd at the top level, command inside tool_input. Every
   other value is skipped (validated only as far as skipping needs). */

struct Scanner {
  const char* p;
  const char* end;
  int unsure; /* a \u escape, a duplicate key, a nesting limit: exec memhook */
};

struct Found {
  struct Text event, tool, cwd, command;
  int have_event, have_tool, have_cwd, have_command;
};

static void SkipSpace(struct Scanner* s) {
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r')) ++s->p;
}

static int DecodeString(struct Scanner* s, struct Text* out);

/* Reads a string at s->p (a '"'); decodes it into *out when out != NULL
   (malloc'ed; freed again, and NULL, on failure). */
static int ReadString(struct Scanner* s, struct Text* out) {
  if (DecodeString(s, out) == 0) return 0;
  if (out != NULL) {
    free(out->data);
    out->data = NULL;
  }
  return -1;
}

static int DecodeString(struct Scanner* s, struct Text* out) {
  if (s->p >= s->end || *s->p != '"') return -1;
  ++s->p;
  char* w = NULL;
  if (out != NULL) {
    out->data = malloc((size_t)(s->end - s->p) + 1);
    out->size = 0;
    if (out->data == NULL) return -1;
    w = out->data;
  }
  while (s->p < s->end) {
    char c = *s->p++;
    if (c == '"') {
      if (out != NULL) out->size = (size_t)(w - out->data);
      return 0;
    }
    if ((unsigned char)c < 0x20) return -1;
    if (c == '\\') {
      if (s->p >= s->end) return -1;
      char e = *s->p++;
      switch (e) {
        case '"':
          c = '"';
          break;
        case '\\':
          c = '\\';
          break;
        case '/':
          c = '/';
          break;
        case 'b':
          c = '\b';
          break;
        case 'f':
          c = '\f';
          break;
        case 'n':
          c = '\n';
          break;
        case 'r':
          c = '\r';
          break;
        case 't':
          c = '\t';
          break;
        case 'u':
          /* Could spell any letter of the mount's name: let memhook decide. */
          s->unsure = 1;
          if (s->end - s->p < 4) return -1;
          s->p += 4;
          c = '?';
          break;
        default:
          return -1;
      }
    }
    if (w != NULL) *w++ = c;
  }
  return -1;
}

static int SkipValue(struct Scanner* s, int depth);

static int ReadObject(struct Scanner* s, int depth, int top, struct Found* found) {
  if (depth > 64) {
    s->unsure = 1;
    return -1;
  }
  ++s->p; /* '{' */
  SkipSpace(s);
  if (s->p < s->end && *s->p == '}') {
    ++s->p;
    return 0;
  }
  for (;;) {
    SkipSpace(s);
    struct Text key;
    if (ReadString(s, &key) != 0) return -1;
    SkipSpace(s);
    if (s->p >= s->end || *s->p != ':') return -1;
    ++s->p;
    SkipSpace(s);
    struct Text* target = NULL;
    int* have = NULL;
    int nested_input = 0;
#define KEY_IS(name) (key.size == sizeof(name) - 1 && memcmp(key.data, name, key.size) == 0)
    if (top && KEY_IS("hook_event_name")) {
      target = &found->event;
      have = &found->have_event;
    } else if (top && KEY_IS("tool_name")) {
      target = &found->tool;
      have = &found->have_tool;
    } else if (top && KEY_IS("cwd")) {
      target = &found->cwd;
      have = &found->have_cwd;
    } else if (top && KEY_IS("tool_input")) {
      nested_input = 1;
    } else if (!top && KEY_IS("command")) {
      target = &found->command;
      have = &found->have_command;
    }
#undef KEY_IS
    free(key.data);
    if (target != NULL && s->p < s->end && *s->p == '"') {
      if (*have) {
        /* A repeated key: which one the agent means is memhook's call. */
        s->unsure = 1;
        free(target->data);
        target->data = NULL;
      }
      if (ReadString(s, target) != 0) return -1;
      *have = 1;
    } else if (nested_input && s->p < s->end && *s->p == '{') {
      if (ReadObject(s, depth + 1, 0, found) != 0) return -1;
    } else if (SkipValue(s, depth + 1) != 0) {
      return -1;
    }
    SkipSpace(s);
    if (s->p >= s->end) return -1;
    if (*s->p == ',') {
      ++s->p;
      continue;
    }
    if (*s->p == '}') {
      ++s->p;
      return 0;
    }
    return -1;
  }
}

static int SkipValue(struct Scanner* s, int depth) {
  SkipSpace(s);
  if (s->p >= s->end) return -1;
  if (depth > 64) {
    s->unsure = 1;
    return -1;
  }
  char c = *s->p;
  if (c == '"') return ReadString(s, NULL);
  if (c == '{') {
    struct Found ignored;
    memset(&ignored, 0, sizeof ignored);
    /* Not the top level and not tool_input: nothing inside is wanted, but
       a "command" key would be read; free it. */
    int rc = ReadObject(s, depth, 0, &ignored);
    free(ignored.command.data);
    return rc;
  }
  if (c == '[') {
    ++s->p;
    SkipSpace(s);
    if (s->p < s->end && *s->p == ']') {
      ++s->p;
      return 0;
    }
    for (;;) {
      if (SkipValue(s, depth + 1) != 0) return -1;
      SkipSpace(s);
      if (s->p >= s->end) return -1;
      if (*s->p == ',') {
        ++s->p;
        continue;
      }
      if (*s->p == ']') {
        ++s->p;
        return 0;
      }
      return -1;
    }
  }
  /* true, false, null, numbers: a run of their characters. */
  const char* start = s->p;
  while (s->p < s->end && strchr("truefalsn0123456789+-.eE", *s->p) != NULL) ++s->p;
  return s->p > start ? 0 : -1;
}

/* ------------------------------------------------------------ the test */

static int Contains(const struct Text* text, const char* needle) {
  return memmem(text->data, text->size, needle, strlen(needle)) != NULL;
}

/* fastpath::MayTouchMount for the default mount, on the decoded command. */
static int MayTouchMount(const struct Text* command) {
  if (Contains(command, MOUNT_BASE) || Contains(command, MOUNT_PARENT)) return 1;
  if (memchr(command->data, '*', command->size) || memchr(command->data, '?', command->size) ||
      memchr(command->data, '[', command->size))
    return 1;
  if (Contains(command, "$'")) return 1;
  /* Quotes and backslashes can split the name: mem""ory, mem\ory. */
  struct Text unquoted = {malloc(command->size + 1), 0};
  if (unquoted.data == NULL) return 1;
  for (size_t i = 0; i < command->size; ++i) {
    char c = command->data[i];
    if (c != '"' && c != '\'' && c != '\\') unquoted.data[unquoted.size++] = c;
  }
  int found = Contains(&unquoted, MOUNT_BASE);
  free(unquoted.data);
  return found;
}

static int Equals(const struct Text* text, const char* value) {
  return text->size == strlen(value) && memcmp(text->data, value, text->size) == 0;
}

/* True when the request is a PreToolUse Bash call whose command cannot name
   the mount, as far as this program can tell. */
static int SurelyPassThrough(const struct Text* request, char** environ_list) {
  for (char** e = environ_list; *e != NULL; ++e) {
    /* Another mount: memhook itself decides (the database, the fast path
       and the other settings do not change what can name the mount). */
    if (strncmp(*e, "MEMHOOK_MOUNT=", 14) == 0) return 0;
  }
  const char* home = getenv("HOME");
  if (home == NULL || *home == '\0') return 0;
  struct Scanner s = {request->data, request->data + request->size, 0};
  struct Found found;
  memset(&found, 0, sizeof found);
  SkipSpace(&s);
  int ok = s.p < s.end && *s.p == '{' && ReadObject(&s, 0, 1, &found) == 0;
  if (ok) {
    SkipSpace(&s);
    ok = s.p == s.end;
  }
  int pass = ok && !s.unsure && found.have_event && Equals(&found.event, "PreToolUse") &&
             found.have_tool && Equals(&found.tool, "Bash") && found.have_command &&
             found.have_cwd && !Contains(&found.cwd, MOUNT_BASE) && !MayTouchMount(&found.command);
  free(found.event.data);
  free(found.tool.data);
  free(found.cwd.data);
  free(found.command.data);
  return pass;
}

extern char** environ;

/* memhook's path, beside this program, into `self` (4096 bytes). */
static int MemhookPath(char* self) {
  ssize_t n = readlink("/proc/self/exe", self, 4096 - 16);
  if (n <= 0) return -1;
  self[n] = '\0';
  char* slash = strrchr(self, '/');
  if (slash == NULL) return -1;
  strcpy(slash + 1, "memhook");
  return 0;
}

/* ------------------------------------------------------ the hook server
   The protocol is described in interceptor/server.h. */

struct Message {
  char* data;
  size_t size, capacity;
  int failed;
};

static void Append(struct Message* m, const void* data, size_t size) {
  if (m->failed) return;
  if (m->size + size > m->capacity) {
    size_t capacity = m->capacity ? m->capacity : 4096;
    while (capacity < m->size + size) capacity *= 2;
    char* grown = realloc(m->data, capacity);
    if (grown == NULL) {
      m->failed = 1;
      return;
    }
    m->data = grown;
    m->capacity = capacity;
  }
  memcpy(m->data + m->size, data, size);
  m->size += size;
}

static void AppendU32(struct Message* m, uint32_t value) { Append(m, &value, sizeof value); }

static void AppendString(struct Message* m, const char* data, size_t size) {
  AppendU32(m, (uint32_t)size);
  Append(m, data, size);
}

static int SendAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    data += n;
    size -= (size_t)n;
  }
  return 0;
}

static int ReceiveAll(int fd, void* data, size_t size) {
  char* p = data;
  while (size > 0) {
    ssize_t n = read(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    p += n;
    size -= (size_t)n;
  }
  return 0;
}

/* Connects to the server for memhook at `self`; -1 when there is none we
   may trust (the spool directory must be ours and private, the server
   ours too). */
static int ConnectToServer(const char* self) {
  const char* flag = getenv("MEMHOOK_SERVER");
  if (flag != NULL && strcmp(flag, "0") == 0) return -1;
  const char* runtime = getenv("XDG_RUNTIME_DIR");
  if (runtime == NULL || *runtime == '\0') runtime = "/tmp";
  char dir[4096];
  int n = snprintf(dir, sizeof dir, "%s/memhook-%u", runtime, (unsigned)geteuid());
  if (n < 0 || (size_t)n >= sizeof dir) return -1;
  struct stat st;
  if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
      (st.st_mode & 077) != 0)
    return -1;
  struct stat binary;
  if (stat(self, &binary) != 0) return -1;
  struct sockaddr_un address;
  memset(&address, 0, sizeof address);
  address.sun_family = AF_UNIX;
  n = snprintf(address.sun_path, sizeof address.sun_path, "%s/hook-%llx-%llx-%llx.sock", dir,
               (unsigned long long)binary.st_ino, (unsigned long long)binary.st_mtim.tv_sec,
               (unsigned long long)binary.st_mtim.tv_nsec);
  if (n < 0 || (size_t)n >= sizeof address.sun_path) return -1;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  struct ucred cred;
  socklen_t size = sizeof cred;
  if (connect(fd, (struct sockaddr*)&address, sizeof address) != 0 ||
      getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &size) != 0 || cred.uid != geteuid()) {
    close(fd);
    return -1;
  }
  return fd;
}

/* Has the server answer `request`. Returns memhook's exit status, or -1
   when the server did not take the request (nothing ran: the caller execs
   memhook instead). */
static int AskServer(const char* self, const struct Text* request, int argc, char** argv,
                     char** environ_list) {
  int fd = ConnectToServer(self);
  if (fd < 0) return -1;
  struct Message body = {NULL, 0, 0, 0};
  AppendU32(&body, (uint32_t)argc);
  for (int i = 0; i < argc; ++i) AppendString(&body, argv[i], strlen(argv[i]));
  uint32_t envc = 0;
  for (char** e = environ_list; *e != NULL; ++e) ++envc;
  AppendU32(&body, envc);
  for (char** e = environ_list; *e != NULL; ++e) AppendString(&body, *e, strlen(*e));
  char cwd[4096];
  if (getcwd(cwd, sizeof cwd) == NULL) cwd[0] = '\0';
  AppendString(&body, cwd, strlen(cwd));
  mode_t mask = umask(0);
  umask(mask);
  AppendU32(&body, (uint32_t)mask);
  AppendString(&body, request->data, request->size);
  int status = -1;
  if (!body.failed && body.size <= 0xffffffffu) {
    /* The header carries our stdout and stderr: the answer goes straight
       to the agent's pipes. */
    char header[12];
    memcpy(header, "MEMHOOK1", 8);
    uint32_t size = (uint32_t)body.size;
    memcpy(header + 8, &size, 4);
    struct iovec iov = {header, sizeof header};
    union {
      struct cmsghdr align;
      char bytes[CMSG_SPACE(2 * sizeof(int))];
    } control;
    memset(&control, 0, sizeof control);
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.bytes;
    msg.msg_controllen = sizeof control.bytes;
    struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(2 * sizeof(int));
    int fds[2] = {1, 2};
    memcpy(CMSG_DATA(c), fds, sizeof fds);
    ssize_t sent;
    do {
      sent = sendmsg(fd, &msg, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    char accepted = 0;
    if (sent > 0 && SendAll(fd, header + sent, sizeof header - (size_t)sent) == 0 &&
        SendAll(fd, body.data, body.size) == 0 && ReceiveAll(fd, &accepted, 1) == 0 &&
        accepted == 'A') {
      int32_t answered = 0;
      if (ReceiveAll(fd, &answered, sizeof answered) == 0) {
        status = answered;
      } else {
        /* Taken, then lost: part of an answer may be out already, so the
           call is blocked rather than answered twice. */
        fprintf(stderr, "memhook: the hook server stopped before it answered\n");
        status = 2;
      }
    }
  }
  free(body.data);
  close(fd);
  return status;
}

/* Hands `request` to memhook at `self` on its stdin, by exec, with
   "--front" (it then starts a server for the next calls): returns only
   when memhook could not be started (2). */
static int HandOver(const struct Text* request, int argc, char** argv, char* self) {
  int fd = memfd_create("memhook-request", 0);
  if (fd < 0) {
    fprintf(stderr, "memhook: memfd_create: %s\n", strerror(errno));
    return 2;
  }
  for (size_t done = 0; done < request->size;) {
    ssize_t w = write(fd, request->data + done, request->size - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      fprintf(stderr, "memhook: cannot pass the request on: %s\n", strerror(errno));
      close(fd);
      return 2;
    }
    done += (size_t)w;
  }
  if (lseek(fd, 0, SEEK_SET) != 0 || dup2(fd, 0) != 0) {
    fprintf(stderr, "memhook: cannot pass the request on: %s\n", strerror(errno));
    close(fd);
    return 2;
  }
  close(fd);
  char** args = calloc((size_t)argc + 2, sizeof *args);
  if (args == NULL) {
    fprintf(stderr, "memhook: out of memory\n");
    return 2;
  }
  args[0] = self;
  for (int i = 1; i < argc; ++i) args[i] = argv[i];
  const char* flag = getenv("MEMHOOK_SERVER");
  if (flag == NULL || strcmp(flag, "0") != 0) args[argc] = "--front";
  execv(self, args);
  /* Exit 2 blocks the call: a command that may touch the memory must not
     reach the real directory because memhook could not start. */
  fprintf(stderr, "memhook: cannot start %s: %s\n", self, strerror(errno));
  free(args);
  return 2;
}

int main(int argc, char** argv) {
  struct Text request;
  int status;
  if (ReadAll(0, &request) != 0) {
    fprintf(stderr, "memhook: cannot read the hook request\n");
    status = 2;
  } else if (argc >= 2 && strcmp(argv[1], "hook") == 0 && SurelyPassThrough(&request, environ)) {
    status = 0;
  } else {
    /* memhook decides: its server, or memhook itself with the same request
       on its stdin (the memfd holds a copy, so the buffer is ours to free
       whatever happens). */
    char self[4096];
    if (MemhookPath(self) != 0) {
      fprintf(stderr, "memhook: cannot find memhook beside memhook-front\n");
      status = 2;
    } else {
      status = AskServer(self, &request, argc, argv, environ);
      if (status < 0) status = HandOver(&request, argc, argv, self);
    }
  }
  free(request.data);
  return status;
}
