import { runPlaceholderCli } from './placeholder';

runPlaceholderCli(`Usage: kvs-local [--port N] [--host 127.0.0.1] [--data DIR] [--demo]
                 [--access-key-id K --secret-access-key S]

Runs KVS Local, a Kinesis Video Streams-compatible service on this machine.`);
