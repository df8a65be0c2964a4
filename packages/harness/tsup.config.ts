import { libraryConfig } from '../../tooling/tsup-preset';

export default libraryConfig(['index', 'index', 'agreement', 'testing']);
