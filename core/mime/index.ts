// core/mime: the MIME structure parser and the header helpers IMAP and delivery share.
export { createStructureParser, parseMessageStructure, DEFAULT_STRUCTURE_LIMITS } from './structure-parser.js';
export type { StructureParser, StructureLimits } from './structure-parser.js';
export { parseHeaderBlock, unfoldHeaderValue, headerValue, headerFieldsSubset } from './header-block.js';
export type { HeaderField } from './header-block.js';
export { decodeEncodedWords, decodeExtendedValue, parameterValue, decodeCharset } from './encoded-words.js';
export { parseAddressList } from './address-list.js';
export { buildEnvelope } from './envelope.js';
export { readContentFields, parseParameterizedValue } from './content-fields.js';
export type { ContentFields, Parameter } from './content-fields.js';
