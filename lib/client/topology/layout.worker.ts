// The ELK layout engine, off the main thread: elk-worker installs its own message handler on
// `self` (the protocol elk-api speaks), so this worker is nothing but that import.
import 'elkjs/lib/elk-worker.min.js';
