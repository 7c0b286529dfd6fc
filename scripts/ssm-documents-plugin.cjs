// osls plugin: one SSM Command document per file in hosts/documents/ (generated from the document specs by
// `npx tsx hosts/cli.ts build-documents`), added to the template with the SendCommand grant that names each. So
// adding a host operation touches the operation, its script and its test, and never this template by hand.
// `${file(...)}` cannot carry the content: the documents' shell scripts are full of `${...}`, which osls would try to
// resolve as its own variables. This runs after variable resolution, so the files go in untouched.
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const { parse } = require('yaml');

/** The documents in `serviceDir`/hosts/documents, by name (`deploy-canary`), sorted. */
function hostDocuments(serviceDir) {
  const dir = join(serviceDir, 'hosts', 'documents');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.yml'))
    .sort()
    .map((file) => ({ name: file.slice(0, -'.yml'.length), path: join(dir, file) }));
}

const pascal = (name) => name.replace(/(^|-)([a-z])/g, (_, __, letter) => letter.toUpperCase());

class SsmDocumentsPlugin {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:package:finalize': () => this.addDocuments() };
  }

  addDocuments() {
    const { service } = this.serverless;
    const prefix = service.custom.prefix;
    const resources = service.resources.Resources;
    const documents = hostDocuments(this.serverless.serviceDir);
    for (const { name, path } of documents) {
      resources[`${pascal(name)}Document`] = {
        Type: 'AWS::SSM::Document',
        Properties: {
          Name: `${prefix}-${name}`,
          DocumentType: 'Command',
          DocumentFormat: 'JSON',
          UpdateMethod: 'NewVersion',
          Content: parse(readFileSync(path, 'utf8')),
        },
      };
    }
    // The teams' own deploy documents (a service's `deploy.document`) are theirs to create, under this name.
    const arns = [...documents.map(({ name }) => name), 'custom-*'].map((name) => ({
      'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:document/${prefix}-${name}`,
    }));
    let granted = 0;
    for (const resource of Object.values(resources)) {
      for (const policy of resource.Properties?.Policies ?? []) {
        for (const statement of policy.PolicyDocument?.Statement ?? []) {
          if (statement.Sid !== 'SendCommandAgentDocuments') continue;
          statement.Resource = arns;
          granted++;
        }
      }
    }
    if (granted === 0)
      throw new Error('no SendCommandAgentDocuments statement to grant the host documents in');
  }
}

module.exports = SsmDocumentsPlugin;
module.exports.hostDocuments = hostDocuments;
