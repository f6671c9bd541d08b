/** The README's Frontend section shows the example files the integration test runs, line for line. */
import fs from 'fs';
import path from 'path';

const ROOT = path.resolve(__dirname, '../../..');
const EXAMPLES = path.join(ROOT, 'client/examples');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('\n## Frontend\n'), readme.indexOf('\n## ', readme.indexOf('\n## Frontend\n') + 1));
const blocks = [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((match) => match[2]);
const examples = fs.readdirSync(EXAMPLES).map((file) => ({ file, code: fs.readFileSync(path.join(EXAMPLES, file), 'utf8') }));

describe('the README frontend section', () => {
  it('exists', () => {
    expect(section.length).toBeGreaterThan(1000);
  });

  it.each(examples.map(({ file, code }) => [file, code]))('shows client/examples/%s unchanged', (_, code) => {
    expect(blocks).toContain(code);
  });

  it('has no code block that is not a tested example', () => {
    for (const block of blocks) expect(examples.map(({ code }) => code)).toContain(block);
  });
});
