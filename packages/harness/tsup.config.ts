import { libraryConfig } from '../../tooling/tsup-preset';

export default libraryConfig(['index', 'agreement', 'stats', 'testing']);
