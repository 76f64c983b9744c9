/** The one way tests reach `../shared` (docs, fixtures, vectors): `$WEFT_SHARED` or beside the repository. */
export { mainnetBlocksDir, sharedDir, sharedPath } from "../src/shared/sharedDir.js";
