// The sandbox console: renders what the agent posts (Block Kit) and sends what a person types or clicks.
const state = { users: [], messages: [], seen: new Map() };
const $ = (id) => document.getElementById(id);

function escapeHtml(text) {
  return String(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );
}

function userName(id) {
  return state.users.find((u) => u.id === id)?.name ?? id;
}

/** Slack mrkdwn, the parts the agent uses: mentions, links, bold, italic, strike, code, code blocks. */
function mrkdwn(text) {
  let html = escapeHtml(text);
  html = html.replace(/```([\s\S]*?)```/g, (_, code) => `<pre>${code}</pre>`);
  html = html.replace(
    /&lt;@([UW][A-Z0-9]+)&gt;/g,
    (_, id) => `<span class="mention">@${escapeHtml(userName(id))}</span>`,
  );
  html = html.replace(
    /&lt;#([CG][A-Z0-9]+)(?:\|([^&]*))?&gt;/g,
    (_, _id, name) => `<span class="mention">#${escapeHtml(name || 'releases')}</span>`,
  );
  html = html.replace(/&lt;!date\^(\d+)\^[^|]*\|([^&]*)&gt;/g, (_, epoch) =>
    new Date(Number(epoch) * 1000).toLocaleTimeString(),
  );
  html = html.replace(/&lt;(https?:[^|&]+)\|([^&]+)&gt;/g, '<a href="$1" target="_blank">$2</a>');
  html = html.replace(/`([^`]+)`/g, '<code>$1</code>');
  html = html.replace(/(^|\s)\*([^*\n]+)\*/g, '$1<b>$2</b>');
  html = html.replace(/(^|\s)_([^_\n]+)_/g, '$1<i>$2</i>');
  html = html.replace(/(^|\s)~([^~\n]+)~/g, '$1<s>$2</s>');
  // Slack's own escapes (&amp; &lt; &gt;) show as the characters they stand for, never as markup.
  html = html.replace(/&amp;(amp|lt|gt);/g, '&$1;');
  return html.replace(/\n/g, '<br>');
}

function textOf(object) {
  if (!object) return '';
  return object.type === 'mrkdwn' ? mrkdwn(object.text) : escapeHtml(object.text);
}

function button(element, message, blockId) {
  const b = document.createElement('button');
  b.className = `bk ${element.style ?? ''}`;
  b.textContent = element.text?.text ?? 'Button';
  b.dataset.actionId = element.action_id;
  b.onclick = async () => {
    if (element.confirm) {
      const c = element.confirm;
      const question = `${c.title?.text ?? 'Are you sure?'}\n\n${c.text?.text ?? ''}`;
      if (!window.confirm(question)) return;
    }
    b.disabled = true;
    await post('/console/click', {
      user: $('user').value,
      messageId: message.id,
      actionId: element.action_id,
      value: element.value ?? '',
      blockId,
    });
    b.disabled = false;
  };
  return b;
}

function renderBlock(block, message) {
  const div = document.createElement('div');
  div.className = `block ${block.type}`;
  switch (block.type) {
    case 'header':
      div.innerHTML = textOf(block.text);
      break;
    case 'divider':
      return Object.assign(document.createElement('hr'), { className: 'block divider' });
    case 'section': {
      div.classList.add('section');
      const inner = document.createElement('div');
      if (block.text) inner.innerHTML = textOf(block.text);
      if (block.fields) {
        const fields = document.createElement('div');
        fields.className = 'fields';
        fields.innerHTML = block.fields.map((f) => `<div>${textOf(f)}</div>`).join('');
        inner.appendChild(fields);
      }
      div.appendChild(inner);
      if (block.accessory?.type === 'button')
        div.appendChild(button(block.accessory, message, block.block_id));
      break;
    }
    case 'context':
      div.innerHTML = (block.elements ?? [])
        .map((e) => `<span>${e.type === 'image' ? '' : textOf(e)}</span>`)
        .join('');
      break;
    case 'actions':
      for (const element of block.elements ?? [])
        if (element.type === 'button') div.appendChild(button(element, message, block.block_id));
      break;
    default:
      div.textContent = block.text?.text ?? '';
  }
  return div;
}

/** A file shared with files.uploadV2: its title, and the picture itself (the stand-in serves its bytes). */
function renderFile(file) {
  const figure = document.createElement('figure');
  figure.className = 'file';
  const caption = document.createElement('figcaption');
  caption.textContent = file.title;
  figure.appendChild(caption);
  if (file.mimetype.startsWith('image/')) {
    const img = document.createElement('img');
    img.src = file.url;
    img.alt = file.altText ?? file.title;
    figure.appendChild(img);
  } else {
    figure.appendChild(
      Object.assign(document.createElement('a'), { href: file.url, textContent: file.name }),
    );
  }
  return figure;
}

function renderMessage(message) {
  const row = document.createElement('div');
  row.className = 'message';
  row.dataset.ts = message.ts;
  const app = message.from === 'app';
  const who = app ? 'Canary Agent' : userName(message.user);
  const time = new Date(Number(message.ts) * 1000).toLocaleTimeString();
  row.innerHTML = `<div class="avatar ${app ? 'app' : ''}">${escapeHtml(who[0] ?? '?')}</div>`;
  const body = document.createElement('div');
  body.className = 'body';
  if (message.visibleTo) body.classList.add('ephemeral');
  body.innerHTML = `<div class="author">${escapeHtml(who)}${app ? ' <span class="meta">APP</span>' : ''}<span class="meta">${time}</span></div>`;
  if (message.visibleTo) body.innerHTML += '<div class="only-you">Only visible to you</div>';
  if (message.blocks.length > 0)
    for (const block of message.blocks) body.appendChild(renderBlock(block, message));
  else if (message.text || !message.files?.length)
    body.insertAdjacentHTML('beforeend', `<div>${mrkdwn(message.text)}</div>`);
  for (const file of message.files ?? []) body.appendChild(renderFile(file));
  const previous = state.seen.get(message.id);
  if (previous !== undefined && previous !== message.updatedAt) row.classList.add('updated');
  state.seen.set(message.id, message.updatedAt);
  row.appendChild(body);
  return row;
}

function render() {
  const me = $('user').value;
  const list = $('messages');
  const visible = state.messages.filter((m) => !m.visibleTo || m.visibleTo === me);
  const roots = visible.filter((m) => !m.threadTs);
  list.replaceChildren(
    ...roots.map((root) => {
      const wrapper = document.createElement('div');
      wrapper.appendChild(renderMessage(root));
      const replies = visible.filter((m) => m.threadTs === root.ts);
      if (replies.length > 0) {
        const thread = document.createElement('div');
        thread.className = 'thread';
        thread.append(...replies.map(renderMessage));
        wrapper.appendChild(thread);
      }
      return wrapper;
    }),
  );
  list.scrollTop = list.scrollHeight;
}

async function post(path, body) {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return response.json();
}

async function main() {
  const config = await (await fetch('/config')).json();
  state.users = config.users;
  $('user').innerHTML = config.users
    .map((u) => `<option value="${escapeHtml(u.id)}">${escapeHtml(u.name)}</option>`)
    .join('');
  $('user').onchange = render;
  $('composer').onsubmit = async (event) => {
    event.preventDefault();
    const raw = $('text').value.trim();
    if (!raw) return;
    $('text').value = '';
    // Sent as typed: the stand-in takes `/canary …` as it is and adds `/canary` to anything else.
    await post('/console/command', { user: $('user').value, text: raw });
  };
  const stream = new EventSource('/stream');
  stream.onmessage = (event) => {
    state.messages = JSON.parse(event.data);
    render();
  };
}

main();
