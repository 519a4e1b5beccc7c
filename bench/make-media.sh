#!/usr/bin/env bash
# Makes the benchmark media (git-ignored, bench/media/): a 20-minute 1280x720 25 fps H.264 + AAC
# recording of about 1.2 GB as MKV (1 s keyframe interval, one cluster per keyframe like a KVS
# producer) and the same content as fragmented MP4 (one moof per keyframe).
# One minute is encoded (with noise, so the bit rate is real) and looped 20 times without re-encoding.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p media
FF=(ffmpeg -hide_banner -loglevel error -y)
if [ ! -f media/minute.mkv ]; then
  "${FF[@]}" -f lavfi -i "testsrc2=size=1280x720:rate=25,noise=alls=12:allf=t" -f lavfi -i "sine=frequency=440:sample_rate=48000" \
    -t 60 -c:v libx264 -preset ultrafast -b:v 7800k -maxrate 7800k -bufsize 8M -g 25 -keyint_min 25 -sc_threshold 0 \
    -c:a aac -b:a 128k -f matroska media/minute.mkv
fi
[ -f media/big-720p.mkv ] || "${FF[@]}" -stream_loop 19 -i media/minute.mkv -c copy -f matroska media/big-720p.mkv
[ -f media/big-720p-frag.mp4 ] || "${FF[@]}" -i media/big-720p.mkv -c copy -f mp4 -movflags frag_keyframe+empty_moov+default_base_moof media/big-720p-frag.mp4
ls -l media
