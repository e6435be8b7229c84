#!/usr/bin/env bash
# Slurm integration test (run by .ci/run): a controller and two emulated nodes
# on loopback, an 8-task job array of `copydesk clean --shard-from-env`, then:
#  - all 8 tasks COMPLETED (jobcomp file);
#  - outputs and merged report byte-identical to a single-process --shard 0/1 run;
#  - a resubmission skips all 8 shards;
#  - a task killed mid-shard (SIGKILL) is redone by a rerun, nothing lost or duplicated;
#  - everything started is stopped by PID.
# Recipe: ../shared/SCALE-OUT.md (measured on this machine kind).
#   tests/slurm/run.sh BUILD/copydesk
set -u
CD=$(readlink -f "${1:?usage: run.sh PATH/TO/copydesk}")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
d=$(mktemp -d /tmp/copydesk-slurm.XXXXXX)
export SLURM_CONF=$d/slurm.conf
started_munge=0
pass=0 fail=0
check() { local name=$1; shift; if "$@"; then pass=$((pass+1)); else echo "FAIL $name"; fail=$((fail+1)); fi; }

stop_all() {
  scancel --full --partition=ci >/dev/null 2>&1 || true
  for f in "$d"/slurmd-n1.pid "$d"/slurmd-n2.pid "$d"/slurmctld.pid; do
    [ -s "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null
  done
  for _ in $(seq 1 25); do
    alive=0
    for f in "$d"/slurmd-n1.pid "$d"/slurmd-n2.pid "$d"/slurmctld.pid; do
      [ -s "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && alive=1
    done
    [ $alive = 0 ] && break
    sleep 0.2
  done
  for f in "$d"/slurmd-n1.pid "$d"/slurmd-n2.pid "$d"/slurmctld.pid; do
    [ -s "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null
  done
  if [ $started_munge = 1 ] && [ -s /run/munge/munged.pid ]; then kill -TERM "$(cat /run/munge/munged.pid)" 2>/dev/null; fi
  rm -rf "$d"
}
trap stop_all EXIT

# munge (authentication) and the Slurm daemons.
install -d -o munge -g munge -m 755 /run/munge
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  runuser -u munge -- /usr/sbin/munged && started_munge=1
fi
h=$(hostname -s)
cat >"$SLURM_CONF" <<CONF
ClusterName=ci
SlurmctldHost=$h(127.0.0.1)
SlurmctldPort=16817
AuthType=auth/munge
AuthInfo=cred_expire=5
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool/%n
SlurmctldPidFile=$d/slurmctld.pid
SlurmdPidFile=$d/slurmd-%n.pid
SlurmctldLogFile=$d/log/slurmctld.log
SlurmdLogFile=$d/log/slurmd-%n.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=100000
JobCompType=jobcomp/filetxt
JobCompLoc=$d/log/jobcomp.txt
ReturnToService=2
SlurmdTimeout=5
KillWait=2
JobRequeue=1
NodeName=n1 NodeHostname=$h NodeAddr=127.0.0.1 Port=16821 CPUs=1 RealMemory=2000
NodeName=n2 NodeHostname=$h NodeAddr=127.0.0.1 Port=16822 CPUs=1 RealMemory=2000
PartitionName=ci Nodes=n1,n2 Default=YES MaxTime=10 State=UP
CONF
mkdir -p "$d"/{state,spool,log,out}
slurmctld -c && slurmd -N n1 && slurmd -N n2 || { echo "slurm: could not start daemons"; exit 1; }
for _ in $(seq 1 150); do
  [ "$(sinfo -h -N -o '%N:%t' 2>/dev/null | sort | tr '\n' ' ')" = "n1:idle n2:idle " ] && break
  sleep 0.2
done
check "nodes idle" test "$(sinfo -h -N -o '%N:%t' | sort | tr '\n' ' ')" = "n1:idle n2:idle "

# Fixtures: 16 JSON Lines files (one gzip-compressed) of real samples, repeated.
IN=$d/in
mkdir -p "$IN"
for i in $(seq -w 1 16); do
  for r in 1 2 3; do sed "s/\"id\": *\"\([^\"]*\)\"/\"id\":\"\1-$i-$r\"/" "$ROOT/samples/news.jsonl"; done >"$IN/part-$i.jsonl"
done
gzip "$IN/part-07.jsonl"

OUT=$d/out/array
cat >"$d/job.sh" <<JOB
#!/usr/bin/env bash
#SBATCH --output=$d/log/%A_%a.out
#SBATCH --requeue
#SBATCH --time=5
exec "$CD" clean --threads 1 --shard-from-env --shard-count 8 --output-dir "$OUT" "$IN"
JOB

# Runs the array and waits for it (bounded); prints the job id.
run_array() {
  local jid
  jid=$(sbatch --parsable --array=0-7 "$d/job.sh") || return 1
  for _ in $(seq 1 600); do
    [ -z "$(squeue -h -j "$jid" 2>/dev/null)" ] && break
    sleep 0.2
  done
  echo "$jid"
}
completed() { grep "ArrayJobId=$1 " "$d/log/jobcomp.txt" 2>/dev/null | grep -c 'JobState=COMPLETED'; }

jid=$(run_array)
check "8 tasks completed" test "$(completed "$jid")" = 8
check "8 manifests" test "$(ls "$OUT"/done/*.json 2>/dev/null | wc -l)" = 8

# Single process, one shard of one.
"$CD" clean -q --threads 1 --shard 0/1 --output-dir "$d/out/single" "$IN" || echo "single run failed"
same_outputs() {
  (cd "$OUT" && find . -name '*.jsonl*' -not -path './reports/*' | sort | xargs cat) | cmp -s - \
    <(cd "$d/out/single" && find . -name '*.jsonl*' -not -path './reports/*' | sort | xargs cat)
}
check "outputs byte-identical to one process" same_outputs
"$CD" merge-reports "$OUT" -o "$d/m8.jsonl" 2>/dev/null
"$CD" merge-reports "$d/out/single" -o "$d/m1.jsonl" 2>/dev/null
check "merged report identical" cmp -s "$d/m8.jsonl" "$d/m1.jsonl"
check "merged report not empty" test -s "$d/m1.jsonl"

# Resubmission: every shard skips on its manifest.
before=$(cd "$OUT" && find . -type f -not -path './done/*' | sort | xargs sha256sum)
jid2=$(run_array)
check "resubmission completed" test "$(completed "$jid2")" = 8
check "resubmission skipped all 8" test "$(grep -l 'skipped, already done' "$d"/log/"${jid2}"_*.out 2>/dev/null | wc -l)" = 8
check "resubmission changed nothing" test "$before" = "$(cd "$OUT" && find . -type f -not -path './done/*' | sort | xargs sha256sum)"

# A task killed mid-shard: no manifest, no final name for its unfinished output; a rerun redoes it.
big=$d/in-big
mkdir -p "$big"
cp "$IN"/*.jsonl* "$big"/
python3 - "$big/part-04.jsonl" <<'PY'
import json, sys
path = sys.argv[1]
recs = [json.loads(l) for l in open(path)]
with open(path, "w") as f:
    for k in range(4000):
        r = dict(recs[k % len(recs)]); r["id"] = "%s-x%d" % (r["id"], k); f.write(json.dumps(r) + "\n")
PY
OUTK=$d/out/kill
"$CD" clean -q --threads 1 --shard 3/8 --output-dir "$OUTK" "$big" &
pid=$!
sleep 0.5
kill -KILL $pid 2>/dev/null; wait $pid 2>/dev/null
check "killed shard wrote no manifest" test ! -e "$OUTK/done/00003.json"
check "killed shard left no partial final file" test ! -e "$OUTK/part-04.jsonl"
"$CD" clean -q --threads 1 --shard 3/8 --output-dir "$OUTK" "$big"
check "rerun after kill: manifest" test -e "$OUTK/done/00003.json"
check "rerun after kill: every record once" test "$(wc -l <"$OUTK/part-04.jsonl")" = 4000
check "rerun after kill: no temp files" test -z "$(find "$OUTK" -name '*.tmp.*')"
# SIGTERM: clean stop, temporaries removed, exit 3.
"$CD" clean -q --threads 1 --shard 3/8 --force --output-dir "$d/out/term" "$big" &
pid=$!
sleep 0.5
kill -TERM $pid; wait $pid; rc=$?
check "SIGTERM: exit 3 (retryable)" test $rc = 3
check "SIGTERM: no temp files" test -z "$(find "$d/out/term" -name '*.tmp.*' 2>/dev/null)"
check "SIGTERM: no manifest" test ! -e "$d/out/term/done/00003.json"

# The array again after removing one manifest: only that shard is redone.
rm "$OUT/done/00005.json"
jid3=$(run_array)
redone=$(grep -L "skipped, already done" "$d"/log/"${jid3}"_*.out | wc -l)
check "one manifest removed: one shard redone (got $redone)" test "$redone" = 1
check "and outputs still identical" same_outputs

echo "slurm: $pass passed, $fail failed"
[ $fail = 0 ]
