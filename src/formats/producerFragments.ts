// How a producer cuts a recording without video into fragments: kvs-put's MP4 remux starts a cluster
// every this many milliseconds of audio, and the inspector cuts audio-only MPEG-TS and MP4 the same way.
export const AUDIO_ONLY_FRAGMENT_MS = 2000;
