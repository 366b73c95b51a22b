# A private one-node Slurm cluster for the fleet tests (sourced; not globbed
# as a test). slurm_start makes everything in a temp dir of its own: a munge
# key, socket and daemon; a slurm.conf on free ports with its own state,
# spool, pid and log files; a cgroup.conf (cgroup/v1, the hierarchy this host
# mounts). It waits until the node is idle and exports SLURM_CONF, which the
# client commands (sbatch, srun, squeue, scontrol, scancel) and bench read.
# slurm_stop (run by the EXIT trap slurm_start sets) shuts it down and leaves
# nothing: daemons, slurm_<node> cgroups, the temp dir.
# Where it cannot start (not root, packages missing, a daemon fails) the test
# is skipped (exit 77) with the reason and the daemon's log tail.
#
# Needs common.bash (skip, need_root) sourced first.

SLURM_DIR=
SLURM_NODE=$(hostname -s)
SLURM_MUNGED_PID=
SLURM_UP=

# A TCP port nobody listens on (the kernel picks it; a race with another
# program is possible but short).
slurm_free_port() {
  "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

slurm_log_tail() {
  local f
  for f in "$@"; do
    [ -s "$f" ] && { echo "--- ${f##*/}:"; tail -n 15 "$f"; }
  done
}

# cgroup dirs slurmd made for this node, deepest first (rmdir needs leaves first).
slurm_cgroups() {
  find /sys/fs/cgroup -maxdepth 7 -depth -type d -path "*/slurm_${SLURM_NODE}*" 2>/dev/null || true
}

slurm_stop() {
  [ -n "$SLURM_DIR" ] || return 0
  if [ -n "$SLURM_UP" ]; then
    scontrol shutdown >/dev/null 2>&1 || true
  fi
  local f pid i
  # the daemons by their own pid files (never by name: other clusters may run here)
  for f in "$SLURM_DIR"/slurmctld.pid "$SLURM_DIR"/slurmd.pid; do
    [ -s "$f" ] || continue
    pid=$(cat "$f")
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  done
  # a step daemon outliving slurmd (it should not): ours are in our cgroups
  local d
  for d in $(slurm_cgroups); do
    [ -f "$d/cgroup.procs" ] || continue
    while read -r pid; do kill -KILL "$pid" 2>/dev/null || true; done <"$d/cgroup.procs"
  done
  if [ -n "$SLURM_MUNGED_PID" ]; then
    kill "$SLURM_MUNGED_PID" 2>/dev/null || true
    for i in $(seq 50); do kill -0 "$SLURM_MUNGED_PID" 2>/dev/null || break; sleep 0.1; done
  fi
  for i in $(seq 30); do
    for d in $(slurm_cgroups); do rmdir "$d" 2>/dev/null || true; done
    [ -z "$(slurm_cgroups)" ] && break
    sleep 0.2
  done
  [ -z "$(slurm_cgroups)" ] || echo "slurm_stop: cgroups left: $(slurm_cgroups | tr '\n' ' ')" >&2
  rm -rf "$SLURM_DIR"
  SLURM_DIR= SLURM_UP= SLURM_MUNGED_PID=
}

# slurm_start [EXTRA slurm.conf LINE...]
slurm_start() {
  need_root
  local p
  for p in munged mungekey slurmctld slurmd; do
    PATH=$PATH:/usr/sbin:/sbin command -v $p >/dev/null || skip "$p is not installed (scripts/setup installs munge, slurmctld, slurmd, slurm-client)"
  done
  for p in sbatch salloc srun squeue scontrol scancel sinfo; do
    command -v $p >/dev/null || skip "$p is not installed (slurm-client)"
  done
  [ -d /sys/fs/cgroup/cpuset ] && [ -d /sys/fs/cgroup/memory ] && [ -d /sys/fs/cgroup/freezer ] ||
    skip "no cgroup v1 cpuset, memory and freezer hierarchies (the test cluster uses cgroup/v1)"
  [ -z "$(slurm_cgroups)" ] || skip "another Slurm node named $SLURM_NODE runs here (slurm_$SLURM_NODE cgroups exist)"

  SLURM_DIR=$(mktemp -d /tmp/bench-slurm.XXXXXX)
  chmod 755 "$SLURM_DIR"
  trap slurm_stop EXIT
  local d=$SLURM_DIR
  mkdir -p "$d/munge" "$d/state" "$d/spool"
  chmod 700 "$d/munge"
  PATH=$PATH:/usr/sbin:/sbin mungekey -c -k "$d/munge/munge.key" >/dev/null 2>&1 ||
    dd if=/dev/urandom of="$d/munge/munge.key" bs=1024 count=1 status=none
  chmod 400 "$d/munge/munge.key"
  # -f: the key and dirs are root's, not munge's; --force: our socket path is new
  PATH=$PATH:/usr/sbin:/sbin munged -f --force --key-file="$d/munge/munge.key" --socket="$d/munge/munge.socket" \
    --pid-file="$d/munge/munged.pid" --log-file="$d/munge/munged.log" --seed-file="$d/munge/seed" \
    --num-threads=2 >"$d/munge/start.log" 2>&1 || {
      local why; why=$(slurm_log_tail "$d/munge/start.log" "$d/munge/munged.log"); slurm_stop
      skip "munged does not start: $why"; }
  SLURM_MUNGED_PID=$(cat "$d/munge/munged.pid")

  local ctl_port node_port
  ctl_port=$(slurm_free_port)
  node_port=$(slurm_free_port)
  local cores
  cores=$(nproc)
  cat >"$d/slurm.conf" <<EOF
ClusterName=benchtest
SlurmctldHost=$SLURM_NODE(127.0.0.1)
SlurmctldPort=$ctl_port
SlurmdPort=$node_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$d/munge/munge.socket
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool
SlurmctldPidFile=$d/slurmctld.pid
SlurmdPidFile=$d/slurmd.pid
SlurmctldLogFile=$d/slurmctld.log
SlurmdLogFile=$d/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/cgroup
TaskPlugin=task/cgroup,task/affinity
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
# seconds: ended jobs stay visible to scontrol this long; SIGTERM to SIGKILL; quick time-limit checks
MinJobAge=120
KillWait=10
InactiveLimit=0
Waittime=0
SlurmctldTimeout=30
SlurmdTimeout=60
NodeName=$SLURM_NODE NodeAddr=127.0.0.1 CPUs=$cores State=UNKNOWN
PartitionName=debug Nodes=$SLURM_NODE Default=YES MaxTime=INFINITE State=UP OverSubscribe=EXCLUSIVE
EOF
  for p in "$@"; do echo "$p" >>"$d/slurm.conf"; done
  cat >"$d/cgroup.conf" <<EOF
CgroupPlugin=cgroup/v1
CgroupMountpoint=/sys/fs/cgroup
ConstrainCores=yes
ConstrainRAMSpace=no
ConstrainDevices=no
EOF
  export SLURM_CONF=$d/slurm.conf
  PATH=$PATH:/usr/sbin:/sbin slurmctld -f "$SLURM_CONF" -i >"$d/slurmctld.start" 2>&1 || {
    local why; why=$(slurm_log_tail "$d/slurmctld.start" "$d/slurmctld.log"); slurm_stop
    skip "slurmctld does not start: $why"; }
  SLURM_UP=1
  PATH=$PATH:/usr/sbin:/sbin slurmd -f "$SLURM_CONF" >"$d/slurmd.start" 2>&1 || {
    local why; why=$(slurm_log_tail "$d/slurmd.start" "$d/slurmd.log"); slurm_stop
    skip "slurmd does not start: $why"; }
  local i state=
  for i in $(seq 100); do
    state=$(sinfo -h -n "$SLURM_NODE" -o %T 2>/dev/null || true)
    [ "$state" = idle ] && break
    sleep 0.2
  done
  if [ "$state" != idle ]; then
    local why; why="node state '${state}': $(slurm_log_tail "$d/slurmctld.log" "$d/slurmd.log")"
    slurm_stop
    skip "the test cluster's node does not become idle: $why"
  fi
}

# The job's state word (scontrol), empty once Slurm forgot it.
slurm_job_state() {
  scontrol show job -o "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2
}
