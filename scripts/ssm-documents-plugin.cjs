// osls plugin: puts each SSM Command document's content (hosts/documents/<name>.yml) into the template.
// `${file(hosts/documents/<name>.yml)}` cannot do it: the documents' shell scripts are full of `${...}`, which osls
// would try to resolve as its own variables. This runs after variable resolution, so the files go in untouched.
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const { parse } = require('yaml');

class SsmDocumentsPlugin {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:package:finalize': () => this.inline() };
  }

  inline() {
    const resources = this.serverless.service.resources?.Resources ?? {};
    for (const [logicalId, resource] of Object.entries(resources)) {
      const content = resource.Properties?.Content;
      if (resource.Type !== 'AWS::SSM::Document' || typeof content !== 'string') continue;
      const path = join(this.serverless.serviceDir, content);
      if (!existsSync(path)) throw new Error(`${logicalId}: SSM document ${content} does not exist`);
      resource.Properties.Content = parse(readFileSync(path, 'utf8'));
    }
  }
}

module.exports = SsmDocumentsPlugin;
