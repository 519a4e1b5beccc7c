import { runPlaceholderCli } from './placeholder';

runPlaceholderCli(`Usage: kvs-put FILE.mkv --stream NAME [--create] [--realtime] [--endpoint URL]
               [--region R] [--profile P]

Uploads an MKV (or MP4) file to a Kinesis Video stream with PutMedia and prints each acknowledgement.`);
