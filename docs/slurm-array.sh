#!/usr/bin/env bash
# Example: clean a dump with a Slurm job array of 64 shards.
#   sbatch --array=0-63 docs/slurm-array.sh /data/dump /data/clean
# Each task processes input i of the byte-sorted listing when i % 64 == its
# SLURM_ARRAY_TASK_ID, writes its outputs atomically, and writes
# /data/clean/done/KKKKK.json last. Resubmitting the same array redoes only
# unfinished shards (Slurm does not retry a failed task by itself; exit 3 means
# retryable: I/O or a stop signal; exit 2 means bad input or configuration).
# When all tasks are done:  copydesk merge-reports /data/clean -o findings.jsonl --stats-out stats.json
#SBATCH --job-name=copydesk
#SBATCH --output=logs/%A_%a.out
#SBATCH --requeue
#SBATCH --cpus-per-task=4
#SBATCH --time=2:00:00
set -euo pipefail
IN=${1:?input folder}
OUT=${2:?output folder}
SHARDS=64   # written out, never read from SLURM_ARRAY_TASK_COUNT
exec copydesk clean --shard-from-env --shard-count "$SHARDS" --output-dir "$OUT" "$IN"
