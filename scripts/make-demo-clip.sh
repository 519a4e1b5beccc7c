#!/usr/bin/env bash
# Makes media/demo.mkv, the clip `kvs-local --demo` produces into stream "demo" in a loop:
# 4 s of 640x360 25 fps H.264 (Main, no B-frames, 1 s keyframe interval: one KVS fragment per second)
# with AAC-LC stereo, showing a sweeping test pattern and a running clock with tenths of a second.
#   bash scripts/make-demo-clip.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ffmpeg -hide_banner -loglevel error -y \
  -f lavfi -i "testsrc2=size=640x360:rate=25,drawbox=x=0:y=300:w=640:h=60:color=black@0.6:t=fill,drawtext=text='KVS Local demo  %{pts\:hms}':fontcolor=white:fontsize=32:x=20:y=312" \
  -f lavfi -i "sine=frequency=660:beep_factor=4:sample_rate=48000" \
  -t 4 -map 0:v -map 1:a \
  -c:v libx264 -profile:v main -pix_fmt yuv420p -preset veryslow -b:v 400k -maxrate 500k -bufsize 1M -bf 0 -g 25 -keyint_min 25 -sc_threshold 0 \
  -c:a aac -b:a 64k -ac 2 \
  -metadata title="KVS Local demo" -f matroska media/demo.mkv
ls -l media/demo.mkv
