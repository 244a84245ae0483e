#!/bin/sh
# Kiln isolation self-check: run INSIDE a job container (POSIX sh; busybox is enough).
# Asserts the "Escape / isolation checks" of SECURITY-NOTES.md §4 that can be observed from
# inside a job, one named line each:  PASS <check> | FAIL <check>: why | SKIP <check> (reason)
# Exits 1 if any check FAILs, 0 otherwise.
#
# Optional settings (environment):
#   ISOLATION_CHECK_HOST_TARGETS     "ip:port ..." listeners on this job's host (gateway, host IPs);
#                                    each must be unreachable. Without them only gateway ports are probed.
#   ISOLATION_CHECK_PRIVATE_TARGETS  "ip:port ..." listeners in private ranges / other jobs; must be unreachable.
#   ISOLATION_CHECK_PROBE_METADATA=1 really connect to cloud metadata addresses (only where that
#                                    traffic is allowed; by default the check is SKIPped and the host
#                                    firewall rules are asserted from outside instead).
#   ISOLATION_CHECK_EXPECT_PIDS_MAX, ISOLATION_CHECK_EXPECT_MEMORY_MAX   configured limits (bytes).
#   ISOLATION_CHECK_ALLOWED_MOUNTS   extra mount points allowed to be device-backed (e.g. a workspace).
#   ISOLATION_CHECK_FORBIDDEN_ENV    extra variable names that must not be visible in any process.
#   ISOLATION_CHECK_TIMEOUT          seconds per connection attempt (default 2).
#   ISOLATION_CHECK_PROBE            path of kiln-syscall-probe (default: found on PATH).

# CI steps run under `sh -eo pipefail`; probes are expected to fail, so neither may apply here.
set +e
(set +o pipefail) 2>/dev/null && set +o pipefail

T=${ISOLATION_CHECK_TIMEOUT:-2}
failures=0
passes=0
skips=0
TMPD=$(mktemp -d 2>/dev/null || echo "/tmp/.kiln-iso-$$")
mkdir -p "$TMPD"
trap 'rm -rf "$TMPD"' EXIT

pass() { passes=$((passes + 1)); echo "PASS $1${2:+: $2}"; }
fail() { failures=$((failures + 1)); echo "FAIL $1: $2"; }
skip() { skips=$((skips + 1)); echo "SKIP $1 ($2)"; }
have() { command -v "$1" >/dev/null 2>&1; }
status_field() { awk -v k="$1:" '$1 == k { print $2 }' /proc/self/status; }

uid=$(id -u)

# A TCP connect that succeeds prints "open"; anything else (refused, rejected, timeout) "closed".
tcp_state() {
  if timeout "$((T + 1))" nc -w "$T" "$1" "$2" </dev/null >/dev/null 2>&1; then echo open; else echo closed; fi
}

# Probes "ip:port ..." in parallel; prints the targets that were reachable.
reachable_of() {
  n=0
  for target in $1; do
    n=$((n + 1))
    ( s=$(tcp_state "${target%:*}" "${target##*:}"); [ "$s" = open ] && echo "$target" > "$TMPD/open.$n" ) &
  done
  wait
  cat "$TMPD"/open.* 2>/dev/null
  rm -f "$TMPD"/open.*
}

gateway() {
  if have ip; then ip route 2>/dev/null | awk '/^default/ { print $3; exit }'; return; fi
  awk 'NR > 1 && $2 == "00000000" { g = $3; printf "%d.%d.%d.%d\n", "0x" substr(g,7,2), "0x" substr(g,5,2), "0x" substr(g,3,2), "0x" substr(g,1,2); exit }' /proc/net/route
}
GW=$(gateway)

# 1. seccomp filter in force
c=01-seccomp
mode=$(status_field Seccomp); filters=$(status_field Seccomp_filters)
if [ "$mode" = 2 ] && [ "${filters:-1}" -ge 1 ]; then pass $c "Seccomp=$mode filters=${filters:-?}"; else fail $c "Seccomp=$mode Seccomp_filters=$filters"; fi

# 2. no-new-privileges; a setuid binary does not raise euid
c=02-no-new-privileges
nnp=$(status_field NoNewPrivs)
if [ "$nnp" != 1 ]; then fail $c "NoNewPrivs=$nnp"
elif [ "$uid" = 0 ]; then pass $c "NoNewPrivs=1 (setuid probe not meaningful as root)"
elif have kiln-suid-probe; then
  e=$(kiln-suid-probe euid 2>/dev/null)
  if [ "$e" = "$uid" ]; then pass $c "NoNewPrivs=1, setuid-root binary ran with euid $e"; else fail $c "setuid-root binary ran with euid $e (uid $uid)"; fi
else pass $c "NoNewPrivs=1 (no setuid probe in this image)"
fi

# 3. capabilities
c=03-capabilities
eff=$(status_field CapEff); prm=$(status_field CapPrm); amb=$(status_field CapAmb); bnd=$(status_field CapBnd)
# SYS_ADMIN 21, SYS_PTRACE 19, SYS_MODULE 16, DAC_READ_SEARCH 2, DAC_OVERRIDE 1, SYS_RAWIO 17, MKNOD 27, NET_ADMIN 12
forbidden=$(( (1 << 21) | (1 << 19) | (1 << 16) | (1 << 2) | (1 << 1) | (1 << 17) | (1 << 27) | (1 << 12) ))
why=""
[ $((0x$bnd & forbidden)) -ne 0 ] && why="$why CapBnd=$bnd has a forbidden capability;"
case "$bnd" in 0000003fffffffff|000001ffffffffff|*ffffffffff) why="$why CapBnd=$bnd is a full set;" ;; esac
if [ "$uid" != 0 ]; then
  [ $((0x$eff | 0x$prm | 0x$amb)) -ne 0 ] && why="$why CapEff=$eff CapPrm=$prm CapAmb=$amb not empty for uid $uid;"
else
  [ $(( (0x$eff | 0x$prm | 0x$amb) & forbidden)) -ne 0 ] && why="$why root holds a forbidden capability (CapEff=$eff);"
fi
if [ -z "$why" ]; then pass $c "CapEff=$eff CapBnd=$bnd"; else fail $c "$why"; fi

# 4. non-root, or root remapped by a user namespace
c=04-non-root
map=$(awk '{ print $1, $2, $3; exit }' /proc/self/uid_map)
if [ "$uid" != 0 ]; then pass $c "uid $uid"
elif [ "$map" != "0 0 4294967295" ]; then pass $c "root remapped ($map)"
else fail $c "the job runs as root without user-namespace remapping (set a non-root user: in the job's image or config)"
fi

# 5. no container-engine socket anywhere
c=05-no-engine-socket
found=$(find / \( -path /proc -o -path /sys \) -prune -o \( -name docker.sock -o -name containerd.sock -o -name podman.sock -o -name 'containerd.sock.ttrpc' \) -print 2>/dev/null | head -5)
inmounts=$(grep -E 'docker\.sock|containerd\.sock|podman\.sock|/containerd/s/' /proc/self/mountinfo | head -3)
sockets=$(find / \( -path /proc -o -path /sys \) -prune -o -type s -print 2>/dev/null | head -20)
if [ -n "$found$inmounts" ]; then fail $c "found: $found $inmounts"
else pass $c "none found${sockets:+; other unix sockets: $(echo $sockets)}"
fi

# 6. no way to a Docker engine or to root
c=06-no-engine-access
why=""
[ -n "${DOCKER_HOST:-}" ] && why="$why DOCKER_HOST is set;"
targets=""
for ip in $( (echo $GW; for t in ${ISOLATION_CHECK_HOST_TARGETS:-}; do echo "${t%:*}"; done) | sort -u); do targets="$targets $ip:2375 $ip:2376"; done
open=$(reachable_of "$targets")
[ -n "$open" ] && why="$why Docker API port reachable: $(echo $open);"
groups=$(id -Gn 2>/dev/null)
for g in $groups; do case "$g" in docker|lxd|sudo|wheel|admin) why="$why member of group $g;" ;; esac; done
if have sudo && sudo -n true >/dev/null 2>&1; then why="$why sudo -n works;"; fi
if [ -z "$why" ]; then pass $c "DOCKER_HOST unset, 2375/2376 closed on${targets:- (no targets)}, groups: ${groups:-none}"; else fail $c "$why"; fi

# 7. private PID namespace
c=07-pid-namespace
init=$(cat /proc/1/comm 2>/dev/null)
bad=""
for f in /proc/[0-9]*/comm; do
  n=$(cat "$f" 2>/dev/null) || continue
  case "$n" in dockerd|containerd|containerd-shim*|systemd|kubelet|sshd|runc) bad="$bad $n" ;; esac
done
if [ -n "$bad" ]; then fail $c "host processes visible:$bad"
else pass $c "pid 1 is $init; no engine or host init visible"
fi

# 8. private network namespace (no host abstract/unix sockets)
c=08-net-namespace
hostsock=$(grep -E '/run/systemd|/run/user|@/containerd-shim|/var/run/docker|/run/containerd' /proc/net/unix | head -3)
if [ -z "$hostsock" ]; then pass $c "no host unix sockets in /proc/net/unix"; else fail $c "host sockets visible: $hostsock"; fi

# 9. cloud metadata
c=09-metadata
if [ "${ISOLATION_CHECK_PROBE_METADATA:-}" = 1 ]; then
  open=$(reachable_of "169.254.169.254:80 100.100.100.200:80 100.96.0.96:80 100.80.80.80:80")
  names=""
  for host in metadata.google.internal metadata.tencentyun.com kubernetes.default.svc; do
    if timeout "$((T + 2))" nc -w "$T" "$host" 80 </dev/null >/dev/null 2>&1; then names="$names $host"; fi
  done
  if [ -z "$open$names" ]; then pass $c "all metadata endpoints unreachable"; else fail $c "reachable: $(echo $open) $names"; fi
else
  skip $c "not probed: ISOLATION_CHECK_PROBE_METADATA=1 not set; the host firewall rules are asserted from the host"
fi

# 10. the host is unreachable
c=10-host-unreachable
targets="${ISOLATION_CHECK_HOST_TARGETS:-}"
for p in 22 80 443 8443; do [ -n "$GW" ] && targets="$targets $GW:$p"; done
open=$(reachable_of "$targets")
if [ -n "$open" ]; then fail $c "reachable: $(echo $open)"
elif [ -n "${ISOLATION_CHECK_HOST_TARGETS:-}" ]; then pass $c "listeners on the host unreachable: $(echo $targets)"
else pass $c "gateway $GW ports 22/80/443/8443 closed (no listener-backed targets given)"
fi

# 11. private ranges and other jobs unreachable; no IPv6 beyond link-local
c=11-private-ranges
v6=$(awk '$6 != "lo" && $1 !~ /^fe80/ { print $1 }' /proc/net/if_inet6 2>/dev/null)
if [ -n "$v6" ]; then fail $c "global or unique-local IPv6 address present: $v6"
elif [ -n "${ISOLATION_CHECK_PRIVATE_TARGETS:-}" ]; then
  open=$(reachable_of "$ISOLATION_CHECK_PRIVATE_TARGETS")
  if [ -z "$open" ]; then pass $c "unreachable: $ISOLATION_CHECK_PRIVATE_TARGETS"; else fail $c "reachable: $(echo $open)"; fi
else
  skip $c "no private-range listener given (ISOLATION_CHECK_PRIVATE_TARGETS)"
fi

# 12. procfs: read-only and masked paths, route_localnet
c=12-procfs
why=""
for p in /proc/sys /proc/sysrq-trigger /proc/irq /proc/bus /proc/fs; do
  [ -e "$p" ] || continue
  [ -w "$p" ] && why="$why $p writable;"
done
h=$(cat /proc/sys/kernel/hostname)
if (printf '%s' "$h" > /proc/sys/kernel/hostname) 2>/dev/null; then why="$why write to /proc/sys succeeded;"; fi
for p in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug /proc/latency_stats /proc/timer_stats; do
  [ -f "$p" ] || [ -c "$p" ] || continue
  [ "$(head -c 1 "$p" 2>/dev/null | wc -c)" -eq 0 ] || why="$why $p readable;"
done
for p in /proc/acpi /proc/scsi; do
  [ -d "$p" ] || continue
  [ -z "$(ls -A "$p" 2>/dev/null)" ] || why="$why $p not masked;"
done
rl=$(cat /proc/sys/net/ipv4/conf/all/route_localnet 2>/dev/null || echo 0)
[ "$rl" = 0 ] || why="$why route_localnet=$rl;"
if [ -z "$why" ]; then pass $c "read-only and masked paths hold, route_localnet=0"; else fail $c "$why"; fi

# 13. sysfs and cgroupfs read-only; no writable release_agent
c=13-sysfs-cgroup
why=""
for p in /sys /sys/fs/cgroup; do [ -d "$p" ] && [ -w "$p" ] && why="$why $p writable;"; done
agents=$(find /sys/fs/cgroup -maxdepth 2 \( -name release_agent -o -name notify_on_release \) 2>/dev/null)
for a in $agents; do [ -w "$a" ] && why="$why $a writable;"; done
if [ -z "$why" ]; then pass $c "read-only"; else fail $c "$why"; fi

# 14. no host block devices; mknod fails
c=14-devices
devs=$(ls /dev 2>/dev/null | grep -E '^(sd|vd|hd|xvd|nvme|loop|dm-|mmcblk)' | head -5)
why=""
[ -n "$devs" ] && why="$why block devices: $(echo $devs);"
if have fdisk && [ -n "$(fdisk -l 2>/dev/null)" ]; then why="$why fdisk -l lists disks;"; fi
if mknod "$TMPD/blk" b 8 0 2>/dev/null; then why="$why mknod succeeded;"; fi
if [ -z "$why" ]; then pass $c "no block devices, mknod refused"; else fail $c "$why"; fi

# 15. no device-backed mounts beyond Docker's own files, volumes and allowed paths
c=15-mounts
bad=$(awk -v allowed=" /etc/hosts /etc/hostname /etc/resolv.conf /sbin/docker-init ${ISOLATION_CHECK_ALLOWED_MOUNTS:-} " '
  { sep = 0; for (i = 7; i <= NF; i++) if ($i == "-") { sep = i; break } }
  sep && $(sep + 1) ~ /^(ext[234]|xfs|btrfs|zfs|vfat|f2fs)$/ {
    mp = $5; root = $4
    if (index(allowed, " " mp " ")) next
    if (root ~ /\/volumes\/[^\/]+\/_data$/) next
    print mp
  }
  sep && $(sep + 1) == "fuse.lxcfs" && $6 ~ /(^|,)rw(,|$)/ { print $5 " (rw lxcfs)" }' /proc/self/mountinfo)
if [ -z "$bad" ]; then pass $c "only Docker's files and volumes are device-backed"; else fail $c "device-backed mounts: $(echo $bad)"; fi

# 16. syscalls that must fail
c=16-syscalls
why=""
mount -t tmpfs kiln-check "$TMPD" 2>/dev/null && { why="$why mount succeeded;"; umount "$TMPD" 2>/dev/null; }
have unshare && unshare -n true 2>/dev/null && why="$why unshare -n succeeded;"
have unshare && unshare -m true 2>/dev/null && why="$why unshare -m succeeded;"
PROBE=${ISOLATION_CHECK_PROBE:-$(command -v kiln-syscall-probe 2>/dev/null)}
if [ -n "$PROBE" ] && [ -x "$PROBE" ]; then
  "$PROBE" > "$TMPD/probe" 2>/dev/null
  for k in mount umount2 pivot_root unshare_newns unshare_newnet clone_newns kexec_load init_module finit_module \
           open_by_handle_at bpf perf_event_open keyctl add_key io_uring_setup socket_vsock socket_alg acct mknod_block; do
    got=$(awk -F= -v k="$k" '$1 == k { print $2 }' "$TMPD/probe")
    [ "$got" = EPERM ] || why="$why $k=${got:-missing} (want EPERM);"
  done
  for kv in clone3=ENOSYS fork=OK pthread_create=OK; do
    grep -qx "$kv" "$TMPD/probe" || why="$why want $kv, got $(grep "^${kv%=*}=" "$TMPD/probe");"
  done
  if [ -z "$why" ]; then pass $c "20 syscalls refused with EPERM, clone3 ENOSYS, fork and threads work"; else fail $c "$why"; fi
elif [ -z "$why" ]; then
  pass $c "mount, unshare -n, unshare -m refused (no kiln-syscall-probe in this image for the full list)"
else
  fail $c "$why"
fi

# 17. user namespaces: exactly a bare user namespace may be created
c=17-user-namespaces
why=""
if have unshare; then
  unshare -U true 2>/dev/null || why="$why unshare -U failed;"
  unshare -Ur sh -c "mount -t tmpfs x $TMPD" 2>/dev/null && why="$why mount inside a user namespace succeeded;"
  unshare -Un true 2>/dev/null && why="$why unshare -Un succeeded;"
fi
if [ -f "$TMPD/probe" ]; then
  for kv in unshare_newuser=OK clone_newuser=OK unshare_newuser_newnet=EPERM unshare_newuser_then_newnet=EPERM mount_in_userns=EPERM clone_newuser_newnet=EPERM setns_user=EPERM; do
    grep -qx "$kv" "$TMPD/probe" || why="$why want $kv, got $(grep "^${kv%=*}=" "$TMPD/probe");"
  done
fi
if ! have unshare && [ ! -f "$TMPD/probe" ]; then skip $c "neither unshare nor kiln-syscall-probe in this image"
elif [ -z "$why" ]; then pass $c "user namespace allowed; mount and other namespaces refused inside it"
else fail $c "$why"
fi

# 18. LSM confinement
c=18-lsm
if [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ]; then
  label=$(cat /proc/self/attr/current 2>/dev/null)
  case "$label" in *"(enforce)"*) pass $c "AppArmor $label" ;; *) fail $c "AppArmor label '$label' is not enforcing" ;; esac
elif [ -d /sys/fs/selinux ]; then
  label=$(cat /proc/self/attr/current 2>/dev/null)
  case "$label" in *spc_t*|*unconfined*|"") fail $c "SELinux label '$label'" ;; *) pass $c "SELinux $label" ;; esac
else
  skip $c "neither AppArmor nor SELinux is enabled on this host"
fi

# 19. resource limits
c=19-limits
if [ -f /sys/fs/cgroup/pids.max ]; then pf=/sys/fs/cgroup/pids.max; mf=/sys/fs/cgroup/memory.max
else pf=/sys/fs/cgroup/pids/pids.max; mf=/sys/fs/cgroup/memory/memory.limit_in_bytes; fi
pids=$(cat "$pf" 2>/dev/null); mem=$(cat "$mf" 2>/dev/null)
why=""
case "$pids" in ""|max) why="$why pids.max=${pids:-unreadable};" ;; esac
case "$mem" in ""|max|9223372036854771712) why="$why memory limit=${mem:-unreadable};" ;; esac
[ -n "${ISOLATION_CHECK_EXPECT_PIDS_MAX:-}" ] && [ "$pids" != "$ISOLATION_CHECK_EXPECT_PIDS_MAX" ] && why="$why pids.max=$pids, want $ISOLATION_CHECK_EXPECT_PIDS_MAX;"
[ -n "${ISOLATION_CHECK_EXPECT_MEMORY_MAX:-}" ] && [ "$mem" != "$ISOLATION_CHECK_EXPECT_MEMORY_MAX" ] && why="$why memory=$mem, want $ISOLATION_CHECK_EXPECT_MEMORY_MAX;"
if [ -z "$why" ]; then pass $c "pids.max=$pids memory=$mem"; else fail $c "$why"; fi

# 20. no secrets of the runner or the orchestrator
c=20-no-secrets
why=""
[ -e /var/run/secrets/kubernetes.io/serviceaccount ] && why="$why Kubernetes service account mounted;"
names=$(for f in /proc/[0-9]*/environ; do tr '\0' '\n' < "$f" 2>/dev/null; done | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' | sort -u)
for n in $names; do
  case " KILN_RUNNER_TOKEN KILN_TOKEN KILN_BOOTSTRAP_TOKEN KILN_BOOTSTRAP_PASSWORD KILN_MASTER_KEY KILN_ENCRYPTION_KEY KILN_DATABASE_URL DOCKER_AUTH_CONFIG DOCKER_CERT_PATH ${ISOLATION_CHECK_FORBIDDEN_ENV:-} " in
    *" $n "*) why="$why $n visible;" ;;
  esac
done
if [ -z "$why" ]; then pass $c "no runner or orchestrator credentials in any visible environment"; else fail $c "$why"; fi

# 21. destroyed after the job: observable only from the host
skip 21-destroyed-after "checked from the host after the job (docker inspect answers 404)"

echo "isolation-check: $passes passed, $failures failed, $skips skipped"
[ "$failures" -eq 0 ]
