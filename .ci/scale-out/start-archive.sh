#!/usr/bin/env bash
# Starts an archive under test in the background, configured as simulators/testing/peers.ts
# configures it, and waits until it answers C-ECHO (at most 30 s).
#   start-archive.sh dcmqrscp|orthanc PORT AE [DIR]
# Prints the archive's PID on the last line. Needs Debian's dcmtk / orthanc packages and `npm ci`.
set -euo pipefail
archive="$1" port="$2" ae="$3"
dir="${4:-/tmp/$archive}"
mkdir -p "$dir"
export TCP_NODELAY=1

case "$archive" in
  dcmqrscp)
    mkdir -p "$dir/db"
    cat > "$dir/dcmqrscp.cfg" <<EOF
NetworkTCPPort  = $port
MaxPDUSize      = 16384
MaxAssociations = 64
HostTable BEGIN
HostTable END
VendorTable BEGIN
VendorTable END
AETable BEGIN
$ae $dir/db RW (500, 1024mb) ANY
AETable END
EOF
    # -dhl: no reverse DNS lookup of every peer
    nohup dcmqrscp -dhl -c "$dir/dcmqrscp.cfg" > "$dir/archive.log" 2>&1 &
    ;;
  orthanc)
    cat > "$dir/orthanc.json" <<EOF
{
  "Name": "qr-harness-peer",
  "StorageDirectory": "$dir/storage",
  "IndexDirectory": "$dir/index",
  "DicomAet": "$ae",
  "DicomPort": $port,
  "HttpServerEnabled": false,
  "RemoteAccessAllowed": false,
  "DicomCheckCalledAet": false,
  "DicomAlwaysAllowEcho": true,
  "DicomAlwaysAllowFind": true,
  "DicomAlwaysAllowStore": true,
  "LimitFindResults": 0,
  "LimitFindInstances": 0,
  "Plugins": [],
  "StorageCompression": false
}
EOF
    nohup "$(command -v Orthanc || echo /usr/sbin/Orthanc)" "$dir/orthanc.json" > "$dir/archive.log" 2>&1 &
    ;;
  *)
    echo "start-archive.sh: unknown archive \"$archive\" (dcmqrscp or orthanc)" >&2
    exit 2
    ;;
esac
pid=$!

for _ in $(seq 1 30); do
  if npx qr-harness echo --host 127.0.0.1 --port "$port" --called-ae "$ae" --timeout 2 >/dev/null 2>&1; then
    echo "$archive ($ae) answers C-ECHO on 127.0.0.1:$port"
    echo "$pid"
    exit 0
  fi
  sleep 1
done
echo "$archive did not answer C-ECHO on 127.0.0.1:$port within 30 s; its log:" >&2
cat "$dir/archive.log" >&2
kill "$pid" 2>/dev/null || true
exit 1
