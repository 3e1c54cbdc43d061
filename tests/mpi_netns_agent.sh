#!/bin/sh
# mpirun's launch agent for tests/mpi_netns.sh, in ssh's place: `agent HOST COMMAND...` runs
# COMMAND (OpenMPI's daemon) inside HOST's network namespace, under its own hostname.
host=$1
shift
[ "$host" = tn-b ] || { echo "mpi_netns_agent: unknown host $host" >&2; exit 1; }
echo "$host" >> "$TYPENET_NETNS_LAUNCHED"  # the test checks that the second daemon came this way
exec ip netns exec "$TYPENET_NETNS_B" unshare --uts sh -c "hostname tn-b && $*"
