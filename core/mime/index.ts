// core/mime: the MIME structure parser and the header helpers IMAP and delivery share.
export { createStructureParser, parseMessageStructure, opaqueText, DEFAULT_STRUCTURE_LIMITS } from './structure-parser.js';
export type { StructureParser, StructureLimits } from './structure-parser.js';
export { parseHeaderBlock, unfoldHeaderValue, headerValue, firstHeaderValues, headerFieldsSubset } from './header-block.js';
export type { HeaderField, HeaderValues } from './header-block.js';
export { decodeEncodedWords, decodeExtendedValue, parameterValue, decodeCharset } from './encoded-words.js';
export { parseAddressList } from './address-list.js';
export { buildEnvelope, ENVELOPE_FIELD_NAMES } from './envelope.js';
export { readContentFields, CONTENT_FIELD_NAMES } from './content-fields.js';
export type { ContentFields } from './content-fields.js';
export { parseParameterizedValue } from './parameters.js';
export { createTransferDecoder, decodeTransferEncoding, isIdentityEncoding } from './transfer-decoding.js';
export type { TransferDecoder } from './transfer-decoding.js';
export type { Parameter } from './parameters.js';
export { envelopeSearchText } from './search-text.js';
export { textRanges, createTextDecoder } from './text-parts.js';
export type { TextColumn, TextRange, TextDecoderStream } from './text-parts.js';
