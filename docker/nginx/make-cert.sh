#!/bin/sh
# A self-signed certificate for localhost, made once, at the proxy's first start (the official
# nginx image runs every executable /docker-entrypoint.d/*.sh before nginx; docker-compose.yml
# mounts this file there). It does nothing when a certificate is already in NGINX_CERT_DIR:
# to use a real one, mount a folder holding tls.crt (the full chain) and tls.key at that path
# (docker-compose.yml: REDRESS_TLS_DIR). tests/test_proxy.py makes its certificate with this
# same script.
set -eu

dir="${NGINX_CERT_DIR:-/etc/nginx/certs}"
name="${NGINX_CERT_HOSTNAME:-localhost}"
if [ -s "$dir/tls.crt" ] && [ -s "$dir/tls.key" ]; then
    echo "make-cert: using the certificate in $dir"
    exit 0
fi
mkdir -p "$dir"
umask 077
openssl req -x509 -newkey rsa:2048 -nodes -days 825 -sha256 \
    -subj "/CN=$name" \
    -addext "subjectAltName=DNS:$name,IP:127.0.0.1" \
    -addext "basicConstraints=critical,CA:FALSE" \
    -addext "keyUsage=critical,digitalSignature,keyEncipherment" \
    -addext "extendedKeyUsage=serverAuth" \
    -keyout "$dir/tls.key.new" -out "$dir/tls.crt.new" 2>/dev/null
# Renamed into place last, so a start killed half-way never leaves a key without its cert.
mv "$dir/tls.key.new" "$dir/tls.key"
mv "$dir/tls.crt.new" "$dir/tls.crt"
echo "make-cert: made a self-signed certificate for $name in $dir"
