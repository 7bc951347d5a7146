#!/usr/bin/env bash
# The example model service's base image (Debian bookworm, python3-sklearn, pytest), made locally
# because no image can be pulled: build-image and test-in-docker tests build FROM it. About a minute
# cold; instant when the image is already there.
set -euo pipefail
cd "$(dirname "$0")/../.."
started=$(date +%s)
scripts/local-base-image.sh mlops-example-base:bookworm
echo "example base image ready in $(($(date +%s) - started))s"
