#!/usr/bin/env bash
# `make test` (and CI, through .ci/run): every check, side by side.
#   tests/utils/run-tests.sh            every step of `make test-steps`, the integration matrix included
#   tests/utils/run-tests.sh STEP...    only these steps (any make target: lint, integration/2.17/hostile, ...)
# The virtualenvs come first (built together). Then the steps run as jobs, TEST_JOBS at a time
# (default: twice the processors; the jobs spend much of their time waiting on playbooks, timeouts
# and the emulator's lag), each integration run (one target on one ansible-core) a job of its own.
# The longest start first, by the last run's timings when there are any, so that no processor
# idles while a long job ends. Steps are independent: a failed one stops nothing else (make -k).
# Each job's output is printed in one piece when it ends and kept in build/test/<step>.log; then a
# table gives every job's wall and processor time (build/test/timings) and the failed jobs are
# named again. Exits non-zero when any job failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
# The jobs are make runs of their own; a `make -j`/`-k` around this script must not reach them.
unset MAKEFLAGS MFLAGS MAKELEVEL
TIMEFORMAT='%0U %0S'
max_jobs=${TEST_JOBS:-$(($(nproc) * 2))}

log_dir=build/test
# The wall time of every job the earlier runs had (the latest of each), to start the longest first.
previous_timings=build/test-timings.previous
if [ -s "${log_dir}/timings" ]; then
  awk '!seen[$1]++' "${log_dir}/timings" "$([ -s "${previous_timings}" ] && echo "${previous_timings}" || echo /dev/null)" \
    > "${previous_timings}.new"
  mv "${previous_timings}.new" "${previous_timings}"
fi
rm -rf "${log_dir}"
mkdir -p "${log_dir}"
started=$(date +%s)

# Processor time the whole machine spent (Linux): beside the jobs' own, it shows how much went to
# other work during the run.
machine_cpu() { if [ -r /proc/stat ]; then awk '/^cpu /{print int(($2+$3+$4+$7+$8+$9)/100)}' /proc/stat; else echo 0; fi; }
machine_started=$(machine_cpu)

# run_step <step> [make arguments...]: make (the arguments, or the step) into the step's log; then
# print the log and a line with the step's wall time, the processor time of all its processes
# (user + system) and when it started.
run_step() {
  local step=$1 step_started status=ok user_seconds system_seconds line
  local log="${log_dir}/${1//\//_}"
  shift
  step_started=$(date +%s)
  { time make --no-print-directory "${@:-${step}}" > "${log}.log" 2>&1; } 2> "${log}.cpu" || status=FAILED
  read -r user_seconds system_seconds < <(tail -n 1 "${log}.cpu")
  line=$(printf '%-48s %5ds wall %5ds cpu  from +%ds  %s' "${step}" $(($(date +%s) - step_started)) \
    $((user_seconds + system_seconds)) $((step_started - started)) "${status}")
  {
    flock 9
    printf '\n======== make %s\n' "${step}"
    cat "${log}.log"
    printf '======== %s\n' "${line}"
    echo "${line}" >> "${log_dir}/timings"
  } 9> "${log_dir}/.lock"
  [ "${status}" = ok ]
}

summary() {
  printf '\n======== make test: every job (%s at a time), in the order they ended\n' "${max_jobs}"
  cat "${log_dir}/timings"
  awk '$1 ~ /^integration\// {n++; cpu += $4} END {if (n) printf "%-48s %5s      %5ds cpu  (%d runs)\n", "integration, all runs", "", cpu, n}' \
    "${log_dir}/timings"
  printf '%-48s %5ds wall %5ds cpu  (the whole machine: %ds cpu on %s processors)\n' total $(($(date +%s) - started)) \
    "$(awk '{sum += $4} END {print sum + 0}' "${log_dir}/timings")" $(($(machine_cpu) - machine_started)) "$(nproc)"
  failed=$(awk '$NF == "FAILED" {printf " %s", $1}' "${log_dir}/timings")
  if [ -n "${failed}" ]; then
    echo "make test: FAILED:${failed} (their output is above, and in ${log_dir}/<step>.log)"
  fi
}

if ! run_step venvs -j3 --output-sync=target venvs; then
  summary
  exit 1
fi

# The jobs: the steps named, or every step of `make test` with `integration` as its runs.
if [ $# -gt 0 ]; then
  jobs=("$@")
else
  read -r -a steps <<< "$(make -s --no-print-directory test-steps)"
  read -r -a runs <<< "$(make -s --no-print-directory integration-runs)"
  jobs=()
  for step in "${steps[@]}"; do
    if [ "${step}" = integration ]; then jobs+=("${runs[@]}"); else jobs+=("${step}"); fi
  done
fi

# Longest first: by the wall time of the last run; a job it did not have (a new target) goes first,
# as a guess that errs on the safe side. Without timings, the order of `make test-steps` (longest
# steps first) stands.
queue=()
if [ -s "${previous_timings}" ]; then
  while IFS= read -r job; do queue+=("${job}"); done < <(
    for job in "${jobs[@]}"; do
      seconds=$(awk -v job="${job}" '$1 == job {print $2 + 0; exit}' "${previous_timings}")
      printf '%s %s\n' "${seconds:-999999}" "${job}"
    done | sort -s -k1,1nr | cut -d' ' -f2-)
else
  queue=("${jobs[@]}")
fi

status=0
running=0
for job in "${queue[@]}"; do
  if [ "${running}" -ge "${max_jobs}" ]; then
    wait -n || status=1
    running=$((running - 1))
  fi
  run_step "${job}" &
  running=$((running + 1))
done
while [ "${running}" -gt 0 ]; do
  wait -n || status=1
  running=$((running - 1))
done

summary
if [ "${status}" -ne 0 ]; then
  exit 1
fi
echo "make test: every check passed"
