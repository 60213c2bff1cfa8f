/**
 * Portals an inquiry can come from: the name shown in the CRM and the key under which a property
 * keeps its listing id there (`property.portalIds[key]`).
 */
interface Portal {
  name: string;
  key: string;
  aliases: string[];
  domains: string[];
}

export const PORTALS: Portal[] = [
  { name: 'ImmobilienScout24', key: 'immoscout24', aliases: ['immobilienscout24', 'immoscout24', 'immoscout', 'is24'], domains: ['immobilienscout24.de', 'immoscout24.de'] },
  { name: 'Immowelt', key: 'immowelt', aliases: ['immowelt', 'immowelt.de'], domains: ['immowelt.de'] },
  { name: 'Immonet', key: 'immonet', aliases: ['immonet', 'immonet.de'], domains: ['immonet.de'] },
  { name: 'Kleinanzeigen', key: 'kleinanzeigen', aliases: ['kleinanzeigen', 'ebay-kleinanzeigen'], domains: ['kleinanzeigen.de', 'ebay-kleinanzeigen.de'] },
  { name: 'Immobilien.de', key: 'immobilien-de', aliases: ['immobilien.de'], domains: ['immobilien.de'] },
];

const normal = (s: string) => s.toLowerCase().replace(/\s+/g, '');

/** The portal a name (e.g. OpenImmo's sender name) or a sender address belongs to. */
export function portalOf(nameOrAddress: string | null | undefined): Portal | undefined {
  if (!nameOrAddress) return undefined;
  const value = normal(nameOrAddress);
  const domain = value.includes('@') ? value.split('@').pop()! : undefined;
  return PORTALS.find((p) => (domain ? p.domains.some((d) => domain === d || domain.endsWith(`.${d}`)) : p.aliases.includes(value)));
}
