import { libraryConfig } from '../../tooling/tsup-preset';

// step-thread: the script of each worker thread of the threads executor (a file of its own, loaded by path);
// shims give the CJS build the import.meta.url that locates it.
export default libraryConfig(['index', 'agreement', 'stats', 'testing', 'step-thread'], { shims: true });
