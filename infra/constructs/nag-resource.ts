import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** A resource as cdk-nag names it in a finding (`Fn::Join` flattened, `Ref` as `<Name>`, `Fn::GetAtt` as `<Id.Attr>`). */
export function nagResource(scope: IConstruct, value: string): string {
  const visit = (node: unknown): string => {
    if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
    if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (Array.isArray(o['Fn::Join'])) {
        const [delimiter, items] = o['Fn::Join'] as [string, unknown[]];
        return items.map(visit).join(delimiter);
      }
      if ('Ref' in o) return `<${visit(o.Ref)}>`;
      if (Array.isArray(o['Fn::GetAtt'])) {
        const [resource, attribute] = o['Fn::GetAtt'] as [unknown, unknown];
        return `<${visit(resource)}.${visit(attribute)}>`;
      }
    }
    return JSON.stringify(node);
  };
  return visit(Stack.of(scope).resolve(value));
}
