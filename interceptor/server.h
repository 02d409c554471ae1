// Internal to the interceptor: the hook server.
//
// Every hook call used to start the whole memhook binary: a large C++
// program that maps and relocates itself, builds its locale and opens the
// store before it reads the first byte of the request. The hook server is
// that program, started once and kept warm. memhook-front (front.c)
// connects to it instead of exec'ing memhook; each request is served by a
// child forked and warmed up before it arrived, which becomes exactly what
// `memhook hook` would have been:
// the front's environment, working directory, umask and argument list, its
// stdout and stderr (passed over the socket), the request on a pipe-less
// stdin. Requests never share a process, so nothing one request does
// (locale, environment, a crash, the 20 s watchdog) reaches another.
//
// The child reports the exit status as soon as the answer is written; the
// front exits with it and the agent goes on. What comes after the answer
// (the stats row, a session event's transcript capture) runs in the child
// once the agent's stdout and stderr are closed, off the agent's path.
//
// Wire protocol (one request per connection, host byte order, same
// machine): the front sends "MEMHOOK1", a u32 byte count of the rest, then
// u32 argc and argc strings, u32 envc and envc strings, the cwd string, a
// u32 umask and the request string (string = u32 length + bytes), with its
// stdout and stderr as SCM_RIGHTS on the first bytes. The server answers
// one byte 'A' once it has taken the request (before that, the front may
// still exec memhook itself: nothing has run), then an i32 exit status.
//
// Safety: the socket lives in the spool directory (private, 0700, ours),
// each side checks the other's uid (SO_PEERCRED), and its name carries the
// memhook binary's identity (inode and mtime), so a rebuilt or upgraded
// binary never talks to an older server. The server exits after
// MEMHOOK_SERVER_IDLE seconds without a request (default 600), when its
// socket is gone or replaced, or when its binary changed on disk.
// MEMHOOK_SERVER=0 turns it off: the front then always execs memhook.
#ifndef MEMHOOK_INTERCEPTOR_SERVER_H_
#define MEMHOOK_INTERCEPTOR_SERVER_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "interceptor/hook.h"

namespace memhook::interceptor {

// The socket path for the running binary under `config` (its spool
// directory), or "" when there can be none (a path too long for a unix
// socket, no /proc/self/exe). front.c computes the same name.
std::string HookServerSocketPath(const Config& config);

// Starts `memhook hook-server` detached (its own session, stdio on
// /dev/null) unless MEMHOOK_SERVER=0. Returns at once; a server that finds
// another one running exits quietly.
void StartHookServerDetached(const Config& config);

// Called once the answer to a request is on fds 1 and 2, with its exit
// status and the path of the store the request was for.
using AnsweredFn = std::function<void(int status, std::string_view store_path)>;

// What the `hook` verb does with one request, shared by the plain process
// and the server's children: `answered` is called once the answer is out,
// before the work that follows it (closing the store, stats, captures).
// `defer_capture`: a session event that never answers anything (all but
// SessionStart, and PostToolUse of tools other than the file tools) is
// answered at once and captured after `answered`.
using HookVerbFn = std::function<int(const std::vector<std::string>& args, std::string_view input,
                                     bool defer_capture, const AnsweredFn& answered)>;

// Called in a standby child before its request arrives: warms the process
// up on the store at `store_path` (the one the last request used; "" when
// a request is already waiting: no warm-up); returns what then runs the
// request.
using PrepareHookFn = std::function<HookVerbFn(std::string_view store_path)>;

// `memhook hook-server`: serves until idle. Two standby children, forked
// in advance, wait for the next requests and serve one each, alone, warmed
// up on the last request's store. Once a child's answer is out, it
// lowers its priority and holds back what is left (closing the store, the
// stats row, a capture) for 50 ms, and the server forks its replacement
// then too, unless no standby is left: bash replaying the answer never
// competes with either. Returns the process exit status.
int HookServerCommand(const Config& config, const PrepareHookFn& prepare);

}  // namespace memhook::interceptor

#endif  // MEMHOOK_INTERCEPTOR_SERVER_H_
