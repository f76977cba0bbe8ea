type ParsedNode = string | Record<string, unknown>;

/**
 * One element of a parsed document, addressed by local names: `cbc:ID`, `ram:ID` and a default
 * namespace `ID` are all `ID`. A view over fast-xml-parser's output (every element a list,
 * attributes as `@_name`), built only for the elements a mapper visits, so a large document is
 * not held twice. The root keeps its prefix, and namespace declarations stay in `attributes`
 * (as `xmlns` / `xmlns:p`), so the syntax can be told from the root.
 */
export class XmlElement {
  readonly name: string;
  readonly prefix: string | null;
  readonly #node: ParsedNode;
  #children: Map<string, XmlElement[]> | undefined;
  #attributes: Record<string, string> | undefined;

  constructor(qualifiedName: string, node: ParsedNode) {
    const colon = qualifiedName.indexOf(':');
    this.name = colon === -1 ? qualifiedName : qualifiedName.slice(colon + 1);
    this.prefix = colon === -1 ? null : qualifiedName.slice(0, colon);
    this.#node = node;
  }

  /** The element's own text, trimmed ('' when it has none). */
  get text(): string {
    if (typeof this.#node === 'string') return this.#node;
    const text = this.#node['#text'];
    return text === undefined ? '' : String(text);
  }

  get attributes(): Readonly<Record<string, string>> {
    if (!this.#attributes) {
      this.#attributes = {};
      if (typeof this.#node !== 'string') {
        for (const [key, value] of Object.entries(this.#node)) if (key.startsWith('@_')) this.#attributes[attributeName(key.slice(2))] = String(value);
      }
    }
    return this.#attributes;
  }

  /** The namespace of this element, when it is declared on the element itself (as on a root). */
  get namespace(): string | null {
    return this.attributes[this.prefix === null ? 'xmlns' : `xmlns:${this.prefix}`] ?? null;
  }

  /** Child elements with this local name, in document order. */
  all(name: string): XmlElement[] {
    if (!this.#children) {
      this.#children = new Map();
      if (typeof this.#node !== 'string') {
        for (const [key, value] of Object.entries(this.#node)) {
          if (key === '#text' || key.startsWith('@_') || !Array.isArray(value)) continue;
          const local = key.slice(key.indexOf(':') + 1);
          const list = this.#children.get(local) ?? [];
          for (const child of value as ParsedNode[]) list.push(new XmlElement(key, child));
          this.#children.set(local, list);
        }
      }
    }
    return this.#children.get(name) ?? [];
  }

  /** The first element down a path of local names, taking the first child at each step. */
  at(...path: string[]): XmlElement | undefined {
    return path.reduce<XmlElement | undefined>((node, name) => node?.all(name)[0], this);
  }

  /** The trimmed text at a path, or null when the element is missing or empty. */
  textAt(...path: string[]): string | null {
    const text = this.at(...path)?.text;
    return text === undefined || text === '' ? null : text;
  }

  attr(name: string): string | null {
    return this.attributes[name] ?? null;
  }
}

/** `currencyID` for `currencyID` and `x:currencyID`; namespace declarations keep their full name. */
function attributeName(name: string): string {
  return name === 'xmlns' || name.startsWith('xmlns:') ? name : name.slice(name.indexOf(':') + 1);
}
