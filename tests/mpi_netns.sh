#!/usr/bin/env bash
# Two ranks on two "machines": network namespaces made here (a veth pair, addresses only on it,
# a hostname each), talking through OpenMPI's TCP transport only. mpirun runs in the first;
# it starts its daemon in the second through a launch agent (tests/mpi_netns_agent.sh) where a
# cluster would use ssh. The run must give the same weights, byte for byte, as the same
# 2-process run over shared memory.
#   tests/mpi_netns.sh BIN_DIR     (root: it creates namespaces; exits 77 where it cannot)
set -euo pipefail
bin=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
a=tn_mpi_a$$ b=tn_mpi_b$$
work=$(mktemp -d /tmp/typenet_netns.XXXXXX)
cleanup() {
  ip netns del "$a" 2>/dev/null || true
  ip netns del "$b" 2>/dev/null || true
  rm -rf "/etc/netns/$a" "/etc/netns/$b" "$work"
}
trap cleanup EXIT
if [ "$(id -u)" != 0 ] || ! ip netns add "$a" 2>/dev/null; then
  echo "SKIP: cannot create network namespaces here (needs root and CAP_SYS_ADMIN)"
  exit 77
fi
ip netns add "$b"
ip link add "va$$" netns "$a" type veth peer name "vb$$" netns "$b"
ip -n "$a" addr add 10.77.0.1/24 dev "va$$" && ip -n "$a" link set "va$$" up && ip -n "$a" link set lo up
ip -n "$b" addr add 10.77.0.2/24 dev "vb$$" && ip -n "$b" link set "vb$$" up && ip -n "$b" link set lo up
for ns in "$a" "$b"; do  # `ip netns exec` puts these over /etc/hosts inside each namespace
  mkdir -p "/etc/netns/$ns"
  printf '127.0.0.1 localhost\n10.77.0.1 tn-a\n10.77.0.2 tn-b\n' > "/etc/netns/$ns/hosts"
done

"$bin/make_synthetic_cifar" "$work/data" 10000 > /dev/null
run=(train --model SeedModel7 --data "$work/data" --limit 100 --batch 50 --threads 1 --seed 3 --epochs 1)
mpirun -np 2 --oversubscribe "$bin/typenet" "${run[@]}" --save "$work/shm.tnw" > "$work/shm.log" 2>&1 ||
  { tail "$work/shm.log"; echo "FAIL: the shared-memory run"; exit 1; }

tcp=(--mca btl tcp,self --mca btl_tcp_if_include 10.77.0.0/24 --mca oob_tcp_if_include 10.77.0.0/24
     --mca plm_rsh_agent "$here/mpi_netns_agent.sh")
ip netns exec "$a" unshare --uts sh -c "hostname tn-a && export TYPENET_NETNS_B=$b TYPENET_NETNS_LAUNCHED=$work/launched && exec mpirun -np 2 --host tn-a:1,tn-b:1 ${tcp[*]} \
    $bin/typenet ${run[*]} --save $work/tcp.tnw" > "$work/tcp.log" 2>&1 ||
  { tail -20 "$work/tcp.log"; echo "FAIL: the run over TCP between the namespaces"; exit 1; }
[ "$(cat "$work/launched" 2>/dev/null)" = tn-b ] || { echo "FAIL: the second rank's daemon was not started in the second namespace"; exit 1; }
grep -q 'on 2 processes' "$work/tcp.log" || { echo "FAIL: the TCP run was not one run over 2 processes"; exit 1; }
cmp "$work/shm.tnw" "$work/tcp.tnw" || { echo "FAIL: TCP between namespaces and shared memory give different weights"; exit 1; }
echo "netns: 2 ranks in 2 network namespaces over TCP (10.77.0.1 <-> 10.77.0.2): weights identical to the" \
     "shared-memory run's ($(stat -c %s "$work/tcp.tnw") bytes); $(grep '^test_accuracy=' "$work/tcp.log")"
