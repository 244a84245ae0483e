#!/usr/bin/env bash
# Builds kiln-test/sandbox:1 for the sandbox tests (no registry involved): kiln-test/sh:1's
# busybox root filesystem plus
#   /usr/local/bin/kiln-syscall-probe  static probe of the syscalls the isolation check needs
#   /usr/local/bin/kiln-suid-probe     the same binary, setuid root (prints its euid)
#   VOLUME /var/kiln-volume            so every container gets an anonymous volume to clean up
# Needs: busybox-static, gcc with static glibc (libc6-dev). KILN_REBUILD_IMAGES=1 rebuilds.
set -euo pipefail
# shellcheck source=lib/busybox-rootfs.sh
. "$(dirname "$0")/lib/busybox-rootfs.sh"
tag=kiln-test/sandbox:1
if [ -z "${KILN_REBUILD_IMAGES:-}" ] && docker image inspect "$tag" >/dev/null 2>&1; then exit 0; fi
command -v busybox >/dev/null || { echo "busybox (Debian package busybox-static) is required" >&2; exit 1; }
command -v gcc >/dev/null || { echo "gcc is required to build the syscall probe" >&2; exit 1; }
write_probe_source() {
cat <<'PROBE_C'
/*
 * kiln-syscall-probe: issues the syscalls the isolation check needs, with arguments that are
 * harmless even when a call is allowed, and prints one `name=RESULT` line each (RESULT is OK or
 * the errno name). `kiln-syscall-probe euid` prints the effective uid (installed setuid-root as
 * kiln-suid-probe, it shows whether no-new-privileges holds).
 * Build: gcc -static -O2 -pthread -o kiln-syscall-probe kiln-syscall-probe.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_io_uring_setup
#define SYS_io_uring_setup 425
#endif
#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif
#ifndef AF_ALG
#define AF_ALG 38
#endif

static const char *errname(int e) {
  switch (e) {
  case EPERM: return "EPERM";
  case ENOSYS: return "ENOSYS";
  case EINVAL: return "EINVAL";
  case EFAULT: return "EFAULT";
  case ENOENT: return "ENOENT";
  case EACCES: return "EACCES";
  case EBADF: return "EBADF";
  case EAFNOSUPPORT: return "EAFNOSUPPORT";
  case EAGAIN: return "EAGAIN";
  case ENOMEM: return "ENOMEM";
  case EROFS: return "EROFS";
  case EEXIST: return "EEXIST";
  case ENOTDIR: return "ENOTDIR";
  case EBUSY: return "EBUSY";
  case EOPNOTSUPP: return "EOPNOTSUPP";
  case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
  case ESOCKTNOSUPPORT: return "ESOCKTNOSUPPORT";
  default: return "EOTHER";
  }
}

static void report(const char *name, long rc) {
  if (rc >= 0) printf("%s=OK\n", name);
  else printf("%s=%s\n", name, errname(errno));
}

/* Runs fn in a child process (namespace calls change the caller) and reports its result. */
static void in_child(const char *name, int (*fn)(void)) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) { printf("%s=FORK_%s\n", name, errname(errno)); return; }
  if (pid == 0) {
    int rc = fn();
    _exit(rc < 0 ? (errno & 0xff) : 0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 255;
  if (code == 0) printf("%s=OK\n", name);
  else printf("%s=%s\n", name, errname(code));
}

static int userns_only(void) { return unshare(CLONE_NEWUSER); }
static int userns_net(void) { return unshare(CLONE_NEWUSER | CLONE_NEWNET); }
static int userns_then_net(void) { return unshare(CLONE_NEWUSER) < 0 ? -1 : unshare(CLONE_NEWNET); }
static int userns_then_mnt_mount(void) {
  if (unshare(CLONE_NEWUSER) < 0) return -1;
  if (unshare(CLONE_NEWNS) < 0) return -1;
  return mount("none", "/tmp", "tmpfs", 0, NULL);
}
static int unshare_ns(void) { return unshare(CLONE_NEWNS); }
static int unshare_net(void) { return unshare(CLONE_NEWNET); }
static int unshare_fs(void) { return unshare(CLONE_FS); }
static int setns_user(void) {
  int fd = open("/proc/self/ns/user", O_RDONLY);
  if (fd < 0) return -1;
  return setns(fd, CLONE_NEWUSER);
}
static int clone_flags(unsigned long flags) {
  long rc = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
  if (rc == 0) _exit(0);
  if (rc > 0) { waitpid((pid_t)rc, NULL, 0); return 0; }
  return -1;
}
static int clone_newns(void) { return clone_flags(CLONE_NEWNS); }
static int clone_newuser(void) { return clone_flags(CLONE_NEWUSER); }
static int clone_newuser_newnet(void) { return clone_flags(CLONE_NEWUSER | CLONE_NEWNET); }

static void *thread_main(void *arg) { return arg; }

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "euid") == 0) {
    printf("%d\n", (int)geteuid());
    return 0;
  }
  setvbuf(stdout, NULL, _IOLBF, 0);
  report("mount", mount("none", "/nonexistent-kiln-probe", "tmpfs", 0, NULL));
  report("umount2", umount2("/nonexistent-kiln-probe", 0));
  report("pivot_root", syscall(SYS_pivot_root, "/nonexistent-kiln-probe", "/nonexistent-kiln-probe"));
  in_child("unshare_newns", unshare_ns);
  in_child("unshare_newnet", unshare_net);
  in_child("unshare_fs", unshare_fs);
  in_child("clone_newns", clone_newns);
  report("kexec_load", syscall(SYS_kexec_load, 0, 0, NULL, 0));
  report("init_module", syscall(SYS_init_module, NULL, 0, ""));
  report("finit_module", syscall(SYS_finit_module, -1, "", 0));
  report("open_by_handle_at", syscall(SYS_open_by_handle_at, AT_FDCWD, NULL, 0));
  report("bpf", syscall(SYS_bpf, -1, NULL, 0));
  report("perf_event_open", syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0));
  report("keyctl", syscall(SYS_keyctl, 0, 0, 0, 0, 0));
  report("add_key", syscall(SYS_add_key, NULL, NULL, NULL, 0, 0));
  report("io_uring_setup", syscall(SYS_io_uring_setup, 1, NULL));
  report("socket_vsock", socket(AF_VSOCK, SOCK_STREAM, 0));
  report("socket_alg", socket(AF_ALG, SOCK_SEQPACKET, 0));
  report("acct", syscall(SYS_acct, "/nonexistent-kiln-probe"));
  report("mknod_block", mknod("/tmp/.kiln-probe-blk", S_IFBLK | 0600, makedev(8, 0)));
  unlink("/tmp/.kiln-probe-blk");
  report("clone3", syscall(SYS_clone3, NULL, 0));
  {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) _exit(0);
    if (pid > 0) waitpid(pid, NULL, 0);
    report("fork", pid);
  }
  {
    pthread_t t;
    int rc = pthread_create(&t, NULL, thread_main, NULL);
    if (rc == 0) pthread_join(t, NULL);
    else errno = rc;
    report("pthread_create", rc == 0 ? 0 : -1);
  }
  in_child("unshare_newuser", userns_only);
  in_child("unshare_newuser_newnet", userns_net);
  in_child("unshare_newuser_then_newnet", userns_then_net);
  in_child("mount_in_userns", userns_then_mnt_mount);
  in_child("clone_newuser", clone_newuser);
  in_child("clone_newuser_newnet", clone_newuser_newnet);
  in_child("setns_user", setns_user);
  return 0;
}
PROBE_C
}

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
make_busybox_rootfs "$root"
mkdir -p "$root/var/kiln-volume" "$root/mnt"
src=$(mktemp -d)
trap 'rm -rf "$root" "$src"' EXIT
write_probe_source > "$src/kiln-syscall-probe.c"
gcc -static -O2 -pthread -o "$root/usr/local/bin/kiln-syscall-probe" "$src/kiln-syscall-probe.c"
cp "$root/usr/local/bin/kiln-syscall-probe" "$root/usr/local/bin/kiln-suid-probe"
chown 0:0 "$root/usr/local/bin/kiln-suid-probe"
chmod 4755 "$root/usr/local/bin/kiln-suid-probe"
tar -C "$root" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'VOLUME ["/var/kiln-volume"]' \
  --change 'CMD ["/bin/sh"]' - "$tag" >/dev/null
echo "built $tag"
