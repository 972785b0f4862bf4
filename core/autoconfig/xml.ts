// XML text escaping for the autoconfig documents (XML 1.0 §2.4): every value we put in an element
// or attribute goes through here, so an odd address cannot change the document's structure.

export function escapeXml(value: string | number): string {
  return String(value).replace(/[<>&'"]/gu, (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', "'": 'apos', '"': 'quot' }[c]};`);
}

/** `<name>value</name>` with the value escaped. */
export function element(name: string, value: string | number): string {
  return `<${name}>${escapeXml(value)}</${name}>`;
}
