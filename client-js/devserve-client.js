// devserve's browser client. devserve injects it into every HTML page it proxies:
//   <script src="/__devserve/client.js" data-token="T" data-build-id="B" data-applied-version="N">
// It keeps a WebSocket to devserve and applies what devserve sends, strictly in order: view patches
// (the DOM is edited in place, so listeners, framework references and page state survive),
// stylesheet swaps, build progress, the build error overlay and reloads. Plain JavaScript, no build
// step: devserve embeds this file as it is. The wire types mirror `devserve-protocol`.
;(() => {
  'use strict'
  if (window.__devserve) return

  const settings = document.currentScript ? document.currentScript.dataset : {}
  const TOKEN = settings.token || ''
  const BUILD_ID = settings.buildId || ''
  const SERVED_VERSION = Number(settings.appliedVersion) || 0
  const PROTOCOL = 1

  const SVG_NS = 'http://www.w3.org/2000/svg'
  const MATHML_NS = 'http://www.w3.org/1998/Math/MathML'
  const XLINK_NS = 'http://www.w3.org/1999/xlink'

  // Our own logs go to the original console functions, so they are never forwarded to devserve.
  const originalConsole = { log: console.log, warn: console.warn }
  const log = (...args) => originalConsole.log.call(console, '[devserve]', ...args)
  const warn = (...args) => originalConsole.warn.call(console, '[devserve]', ...args)

  const state = {
    appliedVersion: SERVED_VERSION,
    views: new Map(), // view_id -> { version, matches, markerId, pageMarker, template }
    history: [], // { patch, origin } applied or kept in this page, in order: the observer re-applies them
    failures: [], // { view_id, version, reason }
    sent: [], // the last messages sent (or queued) to devserve
    connected: false,
    runningBuild: undefined, // the build devserve runs now (from `hello` and `build-ok`)
    observerPasses: 0,
  }

  // ---------------------------------------------------------------------------------------------
  // Messages

  let previousType = ''

  function handleMessage(msg) {
    if (typeof msg === 'string') msg = JSON.parse(msg)
    const replay = previousType === 'hello'
    previousType = msg.type
    try {
      switch (msg.type) {
        case 'hello':
          onHello(msg)
          break
        case 'patch': {
          // Marker ids in a patch are those of the build devserve ran when it sent the patch; the
          // patches right after `hello` are replayed and may have been sent before the page's build.
          const origin = { build: state.runningBuild, replay }
          afterHydration(() => {
            for (const patch of msg.patches) applyViewPatch(patch, origin)
          })
          break
        }
        case 'css':
          swapStylesheet(msg.href, msg.version)
          break
        case 'building':
          badge.show(progressText(msg.progress), 'busy')
          break
        case 'build-failed':
          badge.show('build failed', 'error')
          showOverlay(msg.diagnostics)
          break
        case 'build-ok':
          state.runningBuild = msg.build_id
          closeOverlay()
          badge.flash('build ok')
          break
        case 'reload':
          log('reloading')
          location.reload()
          break
        default:
          warn('ignoring unknown message', msg)
      }
    } catch (error) {
      warn(`could not handle "${msg.type}"`, error)
    }
  }

  function onHello(msg) {
    state.connected = true
    everConnected = true
    retryDelay = 100
    failedOpens = 0
    state.runningBuild = msg.build_id
    badge.hide('warn')
    if (msg.protocol !== PROTOCOL) warn(`devserve speaks protocol ${msg.protocol}, this page ${PROTOCOL}`)
    log('connected')
  }

  const progressText = ({ done, total, current }) =>
    `building ${done}/${total ?? '?'}${current ? ` ${current}` : ''}`

  // ---------------------------------------------------------------------------------------------
  // Connection: reconnect with back-off, never reload in a loop.

  let socket = null
  let retryDelay = 100
  let everConnected = false
  let failedOpens = 0
  const outbox = []

  function send(msg) {
    state.sent.push(msg)
    if (state.sent.length > 200) state.sent.shift()
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(msg))
    else if (outbox.push(msg) > 100) outbox.shift()
  }

  function connect() {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
    const ws = new WebSocket(`${scheme}://${location.host}/__devserve/ws?token=${encodeURIComponent(TOKEN)}`)
    let opened = false
    socket = ws
    ws.onopen = () => {
      opened = true
      const hello = { type: 'hello', protocol: PROTOCOL, build_id: BUILD_ID, applied_version: state.appliedVersion }
      ws.send(JSON.stringify(hello))
      for (const msg of outbox.splice(0)) ws.send(JSON.stringify(msg))
    }
    ws.onmessage = (event) => {
      let msg
      try {
        msg = JSON.parse(event.data)
      } catch {
        warn('ignoring a message that is not JSON', event.data)
        return
      }
      handleMessage(msg)
    }
    ws.onclose = () => {
      if (socket !== ws) return
      socket = null
      state.connected = false
      if (!opened) failedOpens++
      if (everConnected) {
        badge.show('devserve disconnected, reconnecting…', 'warn')
        if (failedOpens >= 3) reloadIfRestarted()
      }
      setTimeout(connect, retryDelay)
      retryDelay = Math.min(retryDelay * 2, 5000)
    }
  }

  // devserve answers but refuses our socket: it restarted and has a new token. Reload once per
  // token to pick the new one up; a second refusal with the same token never reloads again.
  async function reloadIfRestarted() {
    try {
      if (sessionStorage.getItem('devserve-reloaded-for') === TOKEN) return
      const response = await fetch('/__devserve/client.js', { cache: 'no-store' })
      if (!response.ok) return
      sessionStorage.setItem('devserve-reloaded-for', TOKEN)
    } catch {
      return
    }
    log('devserve restarted: reloading once to reconnect')
    location.reload()
  }

  // ---------------------------------------------------------------------------------------------
  // Hydration. A page with a wasm front end (Leptos's <HydrationScripts/>) is hydrated by it, and
  // hydration walks the body node by node, panicking on a node it does not expect: no patch may
  // touch the page before it finished. wasm-bindgen's init awaits WebAssembly.instantiate(Streaming)
  // and the hydration script calls `hydrate()` in a promise callback right after, so hydration has
  // run by the first task after instantiation resolves. Patches wait for that; all else goes on.

  const HYDRATION_TIMEOUT_MS = 20000
  let hydrated = !hasHydrationScript()
  const waitingForHydration = []

  function hasHydrationScript() {
    if (document.querySelector('link[rel="preload"][href$=".wasm"]')) return true
    return [...document.querySelectorAll('script[type="module"]')].some((s) => /\.hydrate\(\)/.test(s.textContent))
  }

  function afterHydration(task) {
    if (hydrated) task()
    else waitingForHydration.push(task)
  }

  function hydrationDone(why) {
    if (hydrated) return
    hydrated = true
    log(why)
    for (const task of waitingForHydration.splice(0)) task()
  }

  if (!hydrated) {
    for (const name of ['instantiateStreaming', 'instantiate']) {
      const original = WebAssembly[name]
      if (typeof original !== 'function') continue
      WebAssembly[name] = function (...args) {
        const result = original.apply(this, args)
        result.then(
          () => setTimeout(() => hydrationDone('hydrated'), 0),
          () => {},
        )
        return result
      }
    }
    setTimeout(() => hydrationDone(`no hydration within ${HYDRATION_TIMEOUT_MS} ms: patching anyway`), HYDRATION_TIMEOUT_MS)
  }

  // ---------------------------------------------------------------------------------------------
  // View patches. A template (`old_template`) is a list of nodes: {t:'el', tag, attrs, children},
  // {t:'text', v}, {t:'hole'} and {t:'component', name, children}. Matching it against the DOM
  // gives a *mirror* per match: the same list with DOM references (`el` for elements, `nodes` for
  // runs of text, hole or component nodes), so template paths map to DOM nodes.

  class PatchError extends Error {}
  const fail = (reason) => {
    throw new PatchError(reason)
  }

  // `origin`: what the page knew when the patch arrived (see `markedInstances`).
  //
  // A view with no instance in the page (another route, a closed branch, a component not
  // rendered) is not a failure: the patch is kept and the observer applies it when the view
  // appears. Only a view that is here and cannot be patched safely is reported; devserve then
  // reloads the page after the build.
  function applyViewPatch(patch, origin = {}) {
    const view = state.views.get(patch.view_id)
    if (patch.version <= SERVED_VERSION || (view && patch.version <= view.version)) return
    takeRecords()
    let result
    try {
      result = patchScope(patch, document, origin)
    } catch (error) {
      result = { reason: error instanceof PatchError ? error.message : String(error) }
    }
    dropOwnRecords()
    const { view_id, version } = patch
    if (result.reason) {
      const failure = { view_id, version, reason: result.reason }
      state.failures.push(failure)
      warn(`could not patch ${view_id}: ${failure.reason}`)
      send({ type: 'patch-failed', ...failure })
      return
    }
    const pageMarker = result.pageMarker ?? view?.pageMarker ?? null
    const { matches, template } = result
    state.views.set(view_id, { version, matches, markerId: patch.marker_id, pageMarker, template })
    state.appliedVersion = Math.max(state.appliedVersion, version)
    state.history.push({ patch, origin })
    if (matches) log(`patched ${view_id} (${matches} ${matches === 1 ? 'place' : 'places'})`)
    else log(`kept the patch of ${view_id}: it is not on this page (applied when it appears)`)
    send({ type: 'patch-applied', view_id, version, matches })
  }

  // Patch every match of `patch.old_template` inside `scope` (the document, or a list of nodes).
  // All or nothing: every op is checked on the template and on each mirror first, recording DOM
  // actions; the DOM is touched only once all of them succeeded. `strict` (the whole document):
  // marked instances that do not match, or cannot be told apart, are failures; in nodes rendered
  // later they are simply not patched.
  function patchScope(patch, scope, origin, strict = scope === document) {
    const { matches, broken, ambiguous, pageMarker } = findMatches(patch, scope, origin)
    if (strict && broken) fail(`${broken} marked instance(s) no longer match the view's template`)
    if (strict && ambiguous) {
      fail(`${ambiguous} views of ${markerFile(patch.marker_id)} match its template: cannot tell which one it is`)
    }
    const template = structuredClone(patch.old_template)
    const actions = []
    for (const op of patch.ops) {
      applyToTemplate(template, op)
      if (!matches.length) continue
      let targets = 0
      for (const match of matches) targets += applyToMirror(match, op, actions)
      if (!targets) fail(`${op.op} at [${op.path ?? op.parent}]: that part of the view is not rendered`)
    }
    for (const action of actions) action()
    return { matches: matches.length, template, pageMarker }
  }

  // --- finding views

  function findMatches(patch, scope, origin) {
    const template = patch.old_template
    const matches = []
    const claimed = new Set()
    const marked = patch.marker_id ? markedInstances(patch, scope, origin) : {}
    for (const match of marked.matches ?? []) {
      matches.push(match)
      for (const item of match.items) if (item.el) claimed.add(item.el)
    }
    // Server-rendered instances carry markers; without them, look only at client-rendered DOM.
    const accept = patch.marker_id && scope === document && pageHasMarkers() ? isClientRendered : () => true
    matches.push(...findByTemplate(template, scope, claimed, false, accept))
    for (const match of matches) findComponentChildren(match.items)
    const { broken = 0, ambiguous = 0, id: pageMarker = null } = marked
    return { matches, broken, ambiguous, pageMarker }
  }

  // The marked instances of a view: the `hot-reload` pairs in `scope` of the id the view has in
  // this page. `patch.marker_id` is the view's id in the build devserve ran when it sent the
  // patch (`origin.build`), the page's markers are those of the build that served it (BUILD_ID).
  // When the two are the same build, that id is the answer, and a view without it has no marked
  // instance here. When they may differ (a page that lived through a build that moved lines; a
  // patch replayed right after `hello` may be older than the page), the page may know the view
  // under another line of the same file, and an id is taken only when it identifies the view:
  //   1. the id this view was patched through before in this page (remembered: `pageMarker`);
  //   2. the patch's own id, unless another view of this page was patched through it;
  //   3. the one id of the file that no other view was patched through and whose instances all
  //      match the template. Two or more such ids: the view may be here but it cannot be told
  //      which it is, and guessing could patch another view with an equal template (`ambiguous`).
  // Returns { id, matches, broken, ambiguous }.
  function markedInstances(patch, scope, origin) {
    const { view_id: viewId, marker_id: markerId, old_template: template } = patch
    const file = markerFile(markerId)
    const pairsById = new Map()
    for (const pair of markerPairs(scope, (id) => markerFile(id) === file)) {
      const id = markerIdOf(pair[0])
      pairsById.set(id, [...(pairsById.get(id) ?? []), pair])
    }
    const owners = new Map() // page marker id -> the other view patched through it
    for (const [id, view] of state.views) if (id !== viewId && view.pageMarker) owners.set(view.pageMarker, id)
    const instances = (pairs) =>
      pairs.map(([open, close]) => {
        const nodes = []
        for (let n = open.nextSibling; n !== close; n = n.nextSibling) nodes.push(n)
        const items = matchSequence(template, nodes, true)
        return items && { parent: open.parentNode, end: close, items }
      })
    const known = state.views.get(viewId)?.pageMarker
    for (const id of [known, markerId]) {
      if (!id || !pairsById.has(id) || (id !== known && owners.has(id))) continue
      const found = instances(pairsById.get(id))
      return { id, matches: found.filter(Boolean), broken: found.filter((match) => !match).length }
    }
    const sameBuild = !origin.replay && origin.build !== undefined && origin.build === BUILD_ID
    if (sameBuild) return { id: null, matches: [] }
    const fitting = []
    for (const [id, pairs] of pairsById) {
      if (owners.has(id)) continue
      const found = instances(pairs)
      if (found.every(Boolean)) fitting.push({ id, matches: found })
    }
    if (fitting.length === 1) return fitting[0]
    return { id: null, matches: [], ambiguous: fitting.length > 1 ? fitting.length : 0 }
  }

  // `src-app.rs-12` -> `src-app.rs` (the file part of a marker id).
  const markerFile = (id) => id.replace(/-\d+$/, '')
  const markerIdOf = (open) => /^hot-reload\|(.+)\|open$/.exec(open.data)[1]

  // `<!--hot-reload|ID|open-->` .. `<!--hot-reload|ID|close-->` for the ids `wanted` accepts;
  // siblings; nested pairs of the same id (a recursive component) pair up like brackets.
  function markerPairs(scope, wanted) {
    const pairs = []
    for (const start of walk(scope, NodeFilter.SHOW_COMMENT)) {
      const id = /^hot-reload\|(.+)\|open$/.exec(start.data)?.[1]
      if (!id || !wanted(id)) continue
      const open = start.data
      const close = `hot-reload|${id}|close`
      let depth = 0
      for (let n = start.nextSibling; n; n = n.nextSibling) {
        if (n.nodeType !== Node.COMMENT_NODE) continue
        if (n.data === open) depth++
        else if (n.data === close && depth-- === 0) {
          pairs.push([start, n])
          break
        }
      }
    }
    return pairs
  }

  // Candidate roots by tag and static attributes (or, inside a component's run, by static text),
  // then the view's other roots matched against the candidate's siblings on both sides.
  function findByTemplate(template, scope, claimed, allowText, accept = () => true) {
    let anchor = template.findIndex((node) => node.t === 'el')
    if (anchor < 0 && allowText) anchor = template.findIndex((node) => node.t === 'text' && normalize(node.v))
    if (anchor < 0) return []
    const found = []
    const seen = new Set()
    for (const node of candidates(template[anchor], scope)) {
      if (seen.has(node) || claimed.has(node) || !accept(node)) continue
      seen.add(node)
      const after = matchSequence(template.slice(anchor), siblings(node, 'nextSibling', true), false)
      if (!after) continue
      const before = matchSequence(template.slice(0, anchor).reverse(), siblings(node, 'previousSibling'), false, true)
      if (!before) continue
      const items = [...before.reverse(), ...after]
      // Static roots belong to this match: overlapping matches would be patched twice.
      for (const item of items) if (item.t === 'el' || item.t === 'text') nodesOf(item).forEach((n) => claimed.add(n))
      const last = items.flatMap(nodesOf).pop()
      found.push({ parent: node.parentNode, end: last.nextSibling, items })
    }
    return found
  }

  function* candidates(anchor, scope) {
    if (anchor.t === 'el') {
      for (const root of scope === document ? [document] : scope) {
        if (root.nodeType === Node.ELEMENT_NODE && sameTag(root, anchor.tag)) yield root
        if (root.getElementsByTagName) yield* root.getElementsByTagName(anchor.tag)
      }
    } else {
      const text = normalize(anchor.v)
      for (const node of walk(scope, NodeFilter.SHOW_TEXT)) if (normalize(node.data) === text) yield node
    }
  }

  // A component's children are found by template matching inside the run of nodes it rendered:
  // none (not rendered now), one, or many (a list).
  function findComponentChildren(items) {
    for (const item of items) {
      if (item.t === 'el') findComponentChildren(item.kids.items)
      if (item.t !== 'component') continue
      item.instances = findByTemplate(item.tpl.children, item.nodes, new Set(), true)
      for (const instance of item.instances) findComponentChildren(instance.items)
    }
  }

  // --- matching a template against DOM nodes

  // Match template nodes against `nodes` in order. `whole`: the nodes must all be consumed (blank
  // text and devserve's own nodes aside); otherwise a prefix is enough. `reversed`: both lists run
  // backwards (matching the roots before an anchor). Holes and components match any run of nodes,
  // shortest first, that does not split a marker pair; failed (template, node) positions are
  // remembered, so backtracking stays polynomial.
  function matchSequence(template, nodes, whole, reversed = false) {
    const failed = new Set()
    const go = (ti, di) => {
      if (ti === template.length) {
        if (!whole) return []
        while (di < nodes.length && skippable(nodes[di])) di++
        return di === nodes.length ? [] : null
      }
      const key = ti * (nodes.length + 1) + di
      if (failed.has(key)) return null
      const tpl = template[ti]
      if (tpl.t === 'hole' || tpl.t === 'component') {
        for (const end of runEnds(nodes, di, tpl.t === 'component', reversed)) {
          const rest = go(ti + 1, end)
          if (!rest) continue
          const run = nodes.slice(di, end)
          if (reversed) run.reverse()
          return [{ t: tpl.t, tpl, nodes: run }, ...rest]
        }
      } else if (tpl.t === 'el') {
        while (di < nodes.length && skippable(nodes[di])) di++
        const item = di < nodes.length && matchElement(nodes[di], tpl)
        const rest = item && go(ti + 1, di + 1)
        if (rest) return [item, ...rest]
      } else if (tpl.t === 'text') {
        const run = matchText(nodes, di, tpl.v, reversed)
        const rest = run && go(ti + 1, run[1])
        if (rest) {
          const texts = nodes.slice(run[0], run[1])
          if (reversed) texts.reverse()
          return [{ t: 'text', tpl, nodes: texts }, ...rest]
        }
      } else {
        fail(`unknown template node "${tpl.t}"`)
      }
      failed.add(key)
      return null
    }
    return go(0, 0)
  }

  // An element whose children a DOM property sets (`content_prop`: `innerHTML` for `inner_html`,
  // or a `prop:textContent`..) has whatever children that property gave it: any children match.
  function matchElement(node, tpl) {
    if (node.nodeType !== Node.ELEMENT_NODE || !sameTag(node, tpl.tag) || !attrsMatch(node, tpl.attrs)) return null
    const items = tpl.content_prop ? [] : matchSequence(tpl.children, [...node.childNodes], true)
    return items && { t: 'el', tpl, el: node, attrs: new Map(tpl.attrs), kids: { parent: node, end: null, items } }
  }

  // Static text matches one or more adjacent text nodes, compared after whitespace normalisation.
  // Returns [start, end) or null.
  function matchText(nodes, di, text, reversed) {
    const want = normalize(text)
    let start = di
    while (start < nodes.length && skippable(nodes[start])) start++
    if (!want) return [di, start]
    let got = ''
    for (let end = start; end < nodes.length && nodes[end].nodeType === Node.TEXT_NODE; end++) {
      got = reversed ? nodes[end].data + got : got + nodes[end].data
      const have = normalize(got)
      if (have === want) return [start, end + 1]
      if (!(reversed ? want.endsWith(have) : want.startsWith(have))) break
    }
    return null
  }

  // Where a hole's run of nodes may end: shortest first, never splitting a marker pair. A
  // component tries first the run of exactly one marked view (its own `view!`).
  function* runEnds(nodes, di, component, reversed) {
    const [opens, closes] = reversed ? ['|close', '|open'] : ['|open', '|close']
    const marker = (n, suffix) => n.nodeType === Node.COMMENT_NODE && n.data.startsWith('hot-reload|') && n.data.endsWith(suffix)
    const ends = []
    const stack = []
    for (let end = di; ; end++) {
      if (!stack.length) ends.push(end)
      if (end === nodes.length) break
      const n = nodes[end]
      if (marker(n, opens)) stack.push(n.data.slice(0, -opens.length))
      else if (marker(n, closes)) {
        if (stack.pop() !== n.data.slice(0, -closes.length)) break
      }
    }
    const single = component && di < nodes.length && marker(nodes[di], opens) && ends.find((end) => end > di)
    if (single) yield single
    yield* ends.filter((end) => end !== single)
  }

  function attrsMatch(el, attrs) {
    for (const [name, value] of attrs) {
      let actual = el.getAttribute(name)
      if (actual === null) return false
      // A stylesheet devserve swapped (`?v=N`) still counts as the link the view renders.
      const swapped = swappedHrefs.get(el)
      if (name === 'href' && swapped && swapped.current === actual) actual = swapped.original
      if (value === null) continue
      // Dynamic `class:x` and `style:x` add to the static value.
      if (name === 'class' && !tokens(value).every((token) => el.classList.contains(token))) return false
      if (name === 'style' && !declarations(value).every(([p, v]) => el.style.getPropertyValue(p) === v)) return false
      if (name !== 'class' && name !== 'style' && actual !== value) return false
    }
    return true
  }

  // --- applying ops

  // The reference semantics of the ops, on the template alone: the checks that make a patch safe.
  function applyToTemplate(roots, op) {
    const children = (path) => {
      let list = roots
      for (const i of path) {
        if (!list[i] || !list[i].children) fail(`[${path}] is not an element`)
        list = list[i].children
      }
      return list
    }
    // Children set by a property are not in the template: such an element is not static either.
    const dynamic = (node) =>
      node.t === 'hole' || node.t === 'component' || !!node.content_prop || (node.children || []).some(dynamic)
    const at = (path, kind) => {
      const node = children(path.slice(0, -1))[path[path.length - 1]]
      if (!node || node.t !== kind) fail(`${op.op}: [${path}] is not ${kind === 'el' ? 'an element' : 'text'}`)
      return node
    }
    switch (op.op) {
      case 'set-text':
        at(op.path, 'text').v = op.text
        break
      case 'set-attr':
      case 'remove-attr': {
        const el = at(op.path, 'el')
        const index = el.attrs.findIndex(([name]) => name === op.name)
        if (op.op === 'set-attr') el.attrs.splice(index < 0 ? el.attrs.length : index, 1, [op.name, op.value])
        else if (index < 0) fail(`remove-attr: [${op.path}] has no static ${op.name}`)
        else el.attrs.splice(index, 1)
        break
      }
      case 'set-inner-html':
        if (at(op.path, 'el').content_prop !== 'innerHTML') fail(`set-inner-html: [${op.path}] has no innerHTML property`)
        break
      case 'insert': {
        const list = children(op.path.slice(0, -1))
        const index = op.path[op.path.length - 1]
        if (index > list.length) fail(`insert: [${op.path}] is past the end`)
        if (dynamic(op.node)) fail('insert: the node holds dynamic content')
        list.splice(index, 0, structuredClone(op.node))
        break
      }
      case 'remove': {
        const list = children(op.path.slice(0, -1))
        const node = list[op.path[op.path.length - 1]]
        if (!node) fail(`remove: nothing at [${op.path}]`)
        if (dynamic(node)) fail(`remove: [${op.path}] holds dynamic content`)
        list.splice(op.path[op.path.length - 1], 1)
        break
      }
      case 'move': {
        const list = children(op.parent)
        const node = list[op.from]
        if (!node || op.to > list.length - 1) fail(`move: [${op.parent}] ${op.from} -> ${op.to} is out of range`)
        if (dynamic(node)) fail('move: the node holds dynamic content')
        list.splice(op.from, 1)
        list.splice(op.to, 0, node)
        break
      }
      default:
        fail(`unknown op "${op.op}"`)
    }
  }

  // Apply one op to one match's mirror, recording the DOM actions. Returns how many places it
  // touched (a path through a component reaches each rendered instance of its children).
  function applyToMirror(match, op, actions) {
    if (op.op === 'move') {
      const lists = listsAt(match, op.parent)
      for (const list of lists) {
        const [item] = list.items.splice(op.from, 1)
        list.items.splice(op.to, 0, item)
        const nodes = nodesOf(item)
        const before = firstNodeFrom(list, op.to + 1)
        actions.push(() => nodes.forEach((n) => list.parent.insertBefore(n, before)))
      }
      return lists.length
    }
    const index = op.path[op.path.length - 1]
    const lists = listsAt(match, op.path.slice(0, -1))
    for (const list of lists) {
      const item = list.items[index]
      if (op.op === 'set-text') setText(list, index, op.text, actions)
      else if (op.op === 'set-attr' || op.op === 'remove-attr') changeAttr(item, op, actions)
      else if (op.op === 'set-inner-html') setInnerHtml(item, op.html, actions)
      else if (op.op === 'insert') {
        const nodes = parseStatic(op.html, list.parent)
        const inserted = matchSequence([op.node], nodes, true)
        if (!inserted) fail(`insert: its html does not match its template: ${op.html}`)
        const before = firstNodeFrom(list, index)
        list.items.splice(index, 0, inserted[0])
        actions.push(() => nodes.forEach((n) => list.parent.insertBefore(n, before)))
      } else if (op.op === 'remove') {
        const nodes = nodesOf(item)
        list.items.splice(index, 1)
        actions.push(() => nodes.forEach((n) => n.remove()))
      }
    }
    return lists.length
  }

  // The child lists of the node at `path`: the view's roots, an element's children, or each
  // rendered instance of a component's children.
  function listsAt(match, path) {
    let lists = [match]
    for (const i of path) {
      lists = lists.flatMap((list) => {
        const item = list.items[i]
        if (item && item.t === 'el') return [item.kids]
        if (item && item.t === 'component') return item.instances
        fail(`[${path}] does not lead to an element`)
      })
    }
    return lists
  }

  function setText(list, index, text, actions) {
    const item = list.items[index]
    if (!item || item.t !== 'text') fail('set-text: not a text node')
    const [first, ...extra] = item.nodes
    if (first) {
      actions.push(() => {
        first.data = text
        extra.forEach((n) => n.remove())
      })
      item.nodes = [first]
    } else {
      const node = document.createTextNode(text)
      const before = firstNodeFrom(list, index + 1)
      actions.push(() => list.parent.insertBefore(node, before))
      item.nodes = [node]
    }
  }

  function changeAttr(item, op, actions) {
    if (!item || item.t !== 'el') fail(`${op.op}: not an element`)
    const { el } = item
    const name = op.name
    const old = item.attrs.get(name)
    const value = op.op === 'set-attr' ? (op.value ?? '') : null
    if (op.op === 'set-attr') item.attrs.set(name, op.value)
    else item.attrs.delete(name)
    if (name === 'class') {
      // Only the static tokens change; tokens added by `class:x` stay.
      const after = tokens(value)
      const gone = tokens(old).filter((token) => !after.includes(token))
      actions.push(() => {
        el.classList.remove(...gone)
        el.classList.add(...after)
        if (value === null && !el.classList.length) el.removeAttribute('class')
      })
    } else if (name === 'style') {
      const after = declarations(value)
      const gone = declarations(old).filter(([p]) => !after.some(([q]) => q === p))
      actions.push(() => {
        for (const [p] of gone) el.style.removeProperty(p)
        for (const [p, v, priority] of after) el.style.setProperty(p, v, priority)
        if (value === null && !el.style.length) el.removeAttribute('style')
      })
    } else if (value === null) {
      actions.push(() => el.removeAttribute(name))
    } else if (name.startsWith('xlink:')) {
      actions.push(() => el.setAttributeNS(XLINK_NS, name, value))
    } else {
      actions.push(() => el.setAttribute(name, value))
    }
  }

  // `set-inner-html` sets the property as Leptos does when it builds the element, and `innerHTML`
  // parses the HTML on its own, in the element's context. The page the server renders after the
  // rebuild has it parsed as part of the document, where it can close the element and spill out
  // (a `<div>` in a `<p>`, a stray `</div>`), and where its scripts run. So the content is set only
  // when it holds no script and the document parse gives the element the same nodes.
  function setInnerHtml(item, html, actions) {
    if (!item || item.t !== 'el') fail('set-inner-html: not an element')
    const { el } = item
    const probe = document.createElementNS(el.namespaceURI, el.localName)
    probe.innerHTML = html
    if (probe.querySelector('script')) fail('set-inner-html: the new HTML holds a script, which only a reload runs')
    if (!parsedInPlace(el, html, probe)) fail(`set-inner-html: the page would parse the new HTML differently: ${html}`)
    actions.push(() => {
      el.innerHTML = html
    })
  }

  // Parse `<ancestors..><el>` + `html` as a document: the element must come out last in its
  // ancestors, holding exactly the nodes of `probe` (the same HTML parsed by `innerHTML`).
  function parsedInPlace(el, html, probe) {
    const chain = []
    for (let n = el; n && n !== document.documentElement; n = n.parentElement) chain.unshift(n.localName)
    if (chain[0] !== 'body' && chain[0] !== 'head') chain.unshift('body')
    const doc = new DOMParser().parseFromString(`<!DOCTYPE html>${chain.map((tag) => `<${tag}>`).join('')}${html}`, 'text/html')
    let found = doc.documentElement
    for (const tag of chain) found = found && [...found.children].find((child) => child.localName === tag)
    if (!found) return false
    for (let n = found; n !== doc.documentElement; n = n.parentNode) if (n.nextSibling) return false
    const [want, got] = [[...probe.childNodes], [...found.childNodes]]
    return want.length === got.length && want.every((node, i) => node.isEqualNode(got[i]))
  }

  // Parse a static subtree in the namespace of the parent it goes into (SVG, MathML or HTML).
  function parseStatic(html, parent) {
    const template = document.createElement('template')
    const wrapper = parent.localName === 'foreignObject' ? null : { [SVG_NS]: 'svg', [MATHML_NS]: 'math' }[parent.namespaceURI]
    template.innerHTML = wrapper ? `<${wrapper}>${html}</${wrapper}>` : html
    return [...(wrapper ? template.content.firstChild : template.content).childNodes]
  }

  const nodesOf = (item) => (item.el ? [item.el] : item.nodes)

  function firstNodeFrom(list, index) {
    for (const item of list.items.slice(index)) {
      const [first] = nodesOf(item)
      if (first) return first
    }
    return list.end
  }

  // --- small helpers

  const normalize = (text) => text.replace(/\s+/g, ' ').trim()
  // Whitespace-only text, and the empty comments (`<!>`) a hydrating renderer puts after text and
  // at the end of children as hydration anchors: neither is part of a view's static content.
  const isBlank = (node) =>
    (node.nodeType === Node.TEXT_NODE && !/\S/.test(node.data)) || (node.nodeType === Node.COMMENT_NODE && node.data === '')
  // What devserve itself puts in the page: its client script (injected into <head>), its badge
  // and overlay (appended to <html>), a stylesheet still loading in a swap. Never part of a view:
  // matching skips them as it skips blank text.
  const OWN_SCRIPT = document.currentScript
  const isOwn = (node) =>
    node.nodeType === Node.ELEMENT_NODE &&
    (node === OWN_SCRIPT || node.localName.startsWith('devserve-') || node.hasAttribute('data-devserve-pending'))
  const skippable = (node) => isBlank(node) || isOwn(node)
  const sameTag = (el, tag) => el.localName.toLowerCase() === tag.toLowerCase()
  const tokens = (value) => (value || '').split(/\s+/).filter(Boolean)

  // `color: red; margin: 0 !important` -> [['color', 'red', ''], ['margin', '0', 'important']]
  function declarations(style) {
    const probe = document.createElement('div').style
    probe.cssText = style || ''
    return [...probe].map((p) => [p, probe.getPropertyValue(p), probe.getPropertyPriority(p)])
  }

  function siblings(node, direction, includeSelf = false) {
    const list = includeSelf ? [node] : []
    for (let n = node[direction]; n; n = n[direction]) list.push(n)
    return list
  }

  function* walk(scope, what) {
    const type = what === NodeFilter.SHOW_COMMENT ? Node.COMMENT_NODE : Node.TEXT_NODE
    for (const root of scope === document ? [document] : scope) {
      const walker = document.createTreeWalker(root, what)
      for (let n = walker.currentNode; n; n = walker.nextNode()) if (n.nodeType === type) yield n
    }
  }

  // ---------------------------------------------------------------------------------------------
  // DOM rendered by the page's own scripts after load (client-side rendering) carries no
  // markers. Its roots are remembered: once the page has markers, that is where a marked view's
  // unmarked instances are looked for. Patches applied or kept so far (a kept patch's view was not
  // on the page: another route, a closed branch) are re-applied to what the page's (old) code
  // renders later, one pass per animation frame over the nodes added since. Our own
  // mutations are taken from the observer's queue and dropped, so the observer never feeds itself.

  const clientRendered = new WeakSet()
  let observer = null
  let pending = new Set()
  let passQueued = false
  let parsed = document.readyState !== 'loading'

  // What the HTML parser inserts is server output; the document turns "interactive" right after
  // parsing and before deferred and module scripts (hydration) run: drop the parser's records then.
  function observe() {
    observer = new MutationObserver(collect)
    observer.observe(document, { childList: true, subtree: true })
    if (parsed) return
    document.addEventListener('readystatechange', () => {
      if (parsed) return
      parsed = true
      observer.takeRecords()
    })
  }

  function collect(records) {
    if (!parsed) return
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.localName?.startsWith('devserve-')) continue
        clientRendered.add(node)
        if (state.history.length) pending.add(node)
      }
    }
    if (!pending.size || passQueued) return
    passQueued = true
    const run = () => {
      if (!passQueued) return
      passQueued = false
      reapply()
    }
    requestAnimationFrame(run)
    setTimeout(run, 100) // rAF does not run in background tabs
  }

  const takeRecords = () => observer && collect(observer.takeRecords())
  const dropOwnRecords = () => observer && observer.takeRecords()

  function isClientRendered(node) {
    for (let n = node; n; n = n.parentNode) if (clientRendered.has(n)) return true
    return false
  }

  function pageHasMarkers() {
    for (const comment of walk(document, NodeFilter.SHOW_COMMENT)) if (comment.data.startsWith('hot-reload|')) return true
    return false
  }

  function reapply() {
    const scope = [...pending].filter((node) => node.isConnected)
    pending = new Set()
    if (!scope.length) return
    state.observerPasses++
    for (const { patch, origin } of state.history) {
      try {
        const { matches } = patchScope(patch, scope, origin)
        if (matches) log(`re-applied patch ${patch.version} to ${matches} new instance(s) of ${patch.view_id}`)
      } catch (error) {
        if (!(error instanceof PatchError)) warn('re-applying a patch failed', error)
      }
      dropOwnRecords()
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Stylesheets: load-then-swap, so the page is never unstyled.

  // A swapped link's href as the page's HTML wrote it, while the link still has the href the swap
  // gave it: template matching compares the original (see `attrsMatch`).
  const swappedHrefs = new WeakMap() // link -> { original, current }

  function swapStylesheet(href, version) {
    const target = new URL(href, location.href)
    const links = [...document.querySelectorAll('link[rel~="stylesheet"][href]')]
    const pathOf = (link) => new URL(link.href).pathname
    let found = links.filter((link) => pathOf(link) === target.pathname)
    if (!found.length) found = links.filter((link) => assetKey(pathOf(link)) === assetKey(target.pathname))
    if (!found.length) {
      warn(`no <link rel="stylesheet"> for ${href} in this page`)
      return
    }
    for (const old of found) {
      if ('devservePending' in old.dataset) {
        old.remove() // an earlier swap still loading: superseded
        continue
      }
      const url = new URL(pathOf(old) === target.pathname ? old.href : target.href)
      url.searchParams.set('v', version)
      const link = old.cloneNode()
      link.removeAttribute('integrity')
      link.dataset.devservePending = ''
      link.href = url.href
      const original = swappedHrefs.get(old)?.original ?? old.getAttribute('href')
      swappedHrefs.set(link, { original, current: link.getAttribute('href') })
      link.addEventListener('load', () => {
        delete link.dataset.devservePending
        old.remove()
        log(`stylesheet ${href} updated`)
      })
      link.addEventListener('error', () => {
        warn(`could not load ${url.href}`)
        link.remove()
      })
      old.after(link)
    }
  }

  // `/pkg/app-3f9a2b1c.css` and `/pkg/app.3f9a2b1c.css` -> `/pkg/app.css`: a trailing hash (six or
  // more word characters with a digit) is dropped from the file stem.
  function assetKey(pathname) {
    const file = pathname.slice(pathname.lastIndexOf('/') + 1)
    const dot = file.lastIndexOf('.')
    const stem = dot > 0 ? file.slice(0, dot) : file
    const dir = pathname.slice(0, pathname.length - file.length)
    return dir + stem.replace(/[-.](?=\w*\d)\w{6,}$/, '') + (dot > 0 ? file.slice(dot) : '')
  }

  // ---------------------------------------------------------------------------------------------
  // Status badge and error overlay: custom elements with shadow roots, filled with textContent.

  const badge = (() => {
    let host = null
    let box = null
    let timer = 0
    const ensure = () => {
      if (host && host.isConnected) return
      host = document.createElement('devserve-badge')
      const style = document.createElement('style')
      style.textContent = BADGE_CSS
      box = document.createElement('div')
      host.attachShadow({ mode: 'open' }).append(style, box)
      document.documentElement.append(host)
    }
    return {
      show(text, kind) {
        ensure()
        clearTimeout(timer)
        box.textContent = text
        box.className = kind
        host.hidden = false
      },
      flash(text) {
        this.show(text, 'ok')
        timer = setTimeout(() => (host.hidden = true), 1500)
      },
      hide(kind) {
        if (host && box.className === kind) host.hidden = true
      },
    }
  })()

  const BADGE_CSS = `
    div { position: fixed; right: 8px; bottom: 8px; z-index: 2147483647; pointer-events: none;
      font: 12px/1.4 ui-monospace, monospace; padding: 3px 8px; border-radius: 4px;
      background: #1e1e1e; color: #ddd; opacity: .85; box-shadow: 0 1px 4px #0006; }
    .ok { color: #23d18b } .error { color: #f14c4c } .warn { color: #e5e510 }`

  class ErrorOverlay extends HTMLElement {
    constructor() {
      super()
      this.attachShadow({ mode: 'open' })
      this.onKey = (event) => event.key === 'Escape' && closeOverlay()
    }
    connectedCallback() {
      document.addEventListener('keydown', this.onKey)
    }
    disconnectedCallback() {
      document.removeEventListener('keydown', this.onKey)
    }
    show(diagnostics) {
      const element = (tag, className, text) => {
        const el = document.createElement(tag)
        if (className) el.className = className
        if (text !== undefined) el.textContent = text
        return el
      }
      const style = element('style', null, OVERLAY_CSS)
      const backdrop = element('div', 'backdrop')
      const panel = element('div', 'panel')
      const count = diagnostics.length
      panel.append(
        element('h1', null, `Build failed: ${count} ${count === 1 ? 'error' : 'errors'}`),
        element('p', 'hint', 'Press Esc or click outside to close. The page updates on the next good build.'),
      )
      for (const diagnostic of diagnostics) {
        const section = element('section')
        const where = /-->\s*(\S+?:\d+(?::\d+)?)/.exec(stripAnsi(diagnostic))
        if (where) section.append(element('div', 'where', where[1]))
        section.append(renderAnsi(diagnostic))
        panel.append(section)
      }
      backdrop.append(panel)
      backdrop.addEventListener('click', (event) => event.target === backdrop && closeOverlay())
      this.shadowRoot.replaceChildren(style, backdrop)
    }
  }
  if (!customElements.get('devserve-error-overlay')) customElements.define('devserve-error-overlay', ErrorOverlay)

  function showOverlay(diagnostics) {
    closeOverlay()
    const overlay = document.createElement('devserve-error-overlay')
    overlay.show(diagnostics)
    document.documentElement.append(overlay)
  }

  const closeOverlay = () => document.querySelectorAll('devserve-error-overlay').forEach((el) => el.remove())

  const OVERLAY_CSS = `
    .backdrop { position: fixed; inset: 0; z-index: 2147483647; background: #000a; overflow: auto;
      display: flex; justify-content: center; align-items: flex-start; padding: 5vh 2vw; }
    .panel { background: #181818; color: #ddd; max-width: 100ch; width: 100%; padding: 16px 24px;
      border-top: 4px solid #f14c4c; border-radius: 6px; font: 13px/1.5 ui-monospace, monospace; }
    h1 { font-size: 16px; color: #f14c4c; margin: 0 0 4px; }
    .hint { color: #999; margin: 0 0 12px; }
    .where { color: #3b8eea; font-weight: bold; margin-top: 12px; }
    pre { margin: 4px 0; white-space: pre-wrap; overflow-x: auto; }`

  // --- ANSI SGR colours -> styled spans (never HTML from the text).

  const PALETTE = [
    '#000000', '#cd3131', '#0dbc79', '#e5e510', '#2472c8', '#bc3fbc', '#11a8cd', '#e5e5e5',
    '#666666', '#f14c4c', '#23d18b', '#f5f543', '#3b8eea', '#d670d6', '#29b8db', '#ffffff',
  ]
  const ESCAPES = /\x1b\[([\d;?]*)([A-Za-z])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b/g

  const stripAnsi = (text) => text.replace(ESCAPES, '')

  function renderAnsi(text) {
    const pre = document.createElement('pre')
    let style = {}
    let last = 0
    const append = (chunk) => {
      if (!chunk) return
      const span = document.createElement('span')
      span.textContent = chunk
      if (style.fg) span.style.color = style.fg
      if (style.bg) span.style.backgroundColor = style.bg
      if (style.bold) span.style.fontWeight = 'bold'
      if (style.dim) span.style.opacity = '0.7'
      if (style.italic) span.style.fontStyle = 'italic'
      if (style.underline) span.style.textDecoration = 'underline'
      pre.append(span)
    }
    for (const match of text.matchAll(ESCAPES)) {
      append(text.slice(last, match.index))
      last = match.index + match[0].length
      if (match[2] === 'm') style = sgr(style, match[1])
    }
    append(text.slice(last))
    return pre
  }

  function sgr(current, params) {
    let style = { ...current }
    const codes = params ? params.split(';').map(Number) : [0]
    for (let i = 0; i < codes.length; i++) {
      const code = codes[i]
      if (code === 0) style = {}
      else if (code === 1) style.bold = true
      else if (code === 2) style.dim = true
      else if (code === 3) style.italic = true
      else if (code === 4) style.underline = true
      else if (code === 22) style.bold = style.dim = false
      else if (code === 23) style.italic = false
      else if (code === 24) style.underline = false
      else if (code >= 30 && code <= 37) style.fg = PALETTE[code - 30]
      else if (code >= 90 && code <= 97) style.fg = PALETTE[code - 82]
      else if (code >= 40 && code <= 47) style.bg = PALETTE[code - 40]
      else if (code >= 100 && code <= 107) style.bg = PALETTE[code - 92]
      else if (code === 39) delete style.fg
      else if (code === 49) delete style.bg
      else if (code === 38 || code === 48) {
        const key = code === 38 ? 'fg' : 'bg'
        if (codes[i + 1] === 5) {
          style[key] = xterm256(codes[i + 2])
          i += 2
        } else if (codes[i + 1] === 2) {
          const [r, g, b] = codes.slice(i + 2, i + 5).map((c) => Math.min(255, c | 0))
          style[key] = `rgb(${r}, ${g}, ${b})`
          i += 4
        }
      }
    }
    return style
  }

  function xterm256(n) {
    n = Math.min(255, n | 0)
    if (n < 16) return PALETTE[n]
    if (n >= 232) {
      const gray = 8 + (n - 232) * 10
      return `rgb(${gray}, ${gray}, ${gray})`
    }
    const level = (c) => (c ? 55 + c * 40 : 0)
    n -= 16
    return `rgb(${level(Math.floor(n / 36))}, ${level(Math.floor(n / 6) % 6)}, ${level(n % 6)})`
  }

  // ---------------------------------------------------------------------------------------------
  // Console errors and uncaught exceptions go to devserve's terminal too.

  function forwardConsole() {
    let forwarding = false
    const forward = (level, message) => {
      if (forwarding) return
      forwarding = true
      try {
        send({ type: 'console', level, message: message.slice(0, 10000) })
      } finally {
        forwarding = false
      }
    }
    for (const level of ['error', 'warn']) {
      const original = console[level]
      console[level] = function (...args) {
        original.apply(this, args)
        forward(level, args.map(describe).join(' '))
      }
    }
    addEventListener('error', (event) => {
      const where = event.filename ? ` (${event.filename}:${event.lineno}:${event.colno})` : ''
      const stack = event.error && event.error.stack ? `\n${event.error.stack}` : ''
      forward('exception', `${event.message}${where}${stack}`)
    })
    addEventListener('unhandledrejection', (event) => forward('exception', `Unhandled rejection: ${describe(event.reason)}`))
  }

  function describe(value) {
    if (typeof value === 'string') return value
    if (value instanceof Error) return value.stack || `${value.name}: ${value.message}`
    try {
      return JSON.stringify(value) ?? String(value)
    } catch {
      return String(value)
    }
  }

  // ---------------------------------------------------------------------------------------------

  window.__devserve = {
    handleMessage,
    applied: () => state.appliedVersion,
    state: () => ({
      buildId: BUILD_ID,
      appliedVersion: state.appliedVersion,
      connected: state.connected,
      views: Object.fromEntries(state.views),
      failures: [...state.failures],
      lastFailure: state.failures[state.failures.length - 1] ?? null,
      sent: [...state.sent],
      observerPasses: state.observerPasses,
      hydrated,
    }),
  }
  observe()
  forwardConsole()
  connect()
})()
