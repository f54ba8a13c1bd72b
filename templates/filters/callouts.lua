--[[
Quarto callouts for the built-in renderer: `::: {.callout-note}` (also -tip, -warning,
-caution, -important; or `.callout` with `type="note"`).

The title is the `title` attribute (markdown), else the callout's first heading (taken
out so it does not enter the table of contents), else the kind's name ("Note").

  HTML:  <div class="callout callout-note" role="note"> with a .callout-title and a
         .callout-body, styled by report.css.
  Typst: #cp-callout(kind: "note", title: [...])[ body ], with cp-callout defined in
         typst-template.typ; the title is written by pandoc's Typst writer (escaped).
]]

local is_typst = FORMAT:match('typst') ~= nil

local kinds = { note = 'Note', tip = 'Tip', warning = 'Warning', caution = 'Caution', important = 'Important' }

local function callout_kind(div)
  for _, class in ipairs(div.classes) do
    local kind = class:match('^callout%-(%a+)$')
    if kind ~= nil and kinds[kind] ~= nil then
      return kind
    end
  end
  if div.classes:includes('callout') then
    local kind = div.attributes['type']
    return (kind ~= nil and kinds[kind] ~= nil) and kind or 'note'
  end
  return nil
end

local function typst_markup(inlines)
  local text = pandoc.write(pandoc.Pandoc({ pandoc.Plain(inlines) }), 'typst', { wrap_text = 'wrap-none' })
  return (text:gsub('%s+$', ''))
end

function Div(div)
  local kind = callout_kind(div)
  if kind == nil then
    return nil
  end
  local body = pandoc.Blocks(div.content)
  local title
  if div.attributes['title'] ~= nil then
    title = pandoc.utils.blocks_to_inlines(pandoc.read(div.attributes['title'], 'markdown').blocks)
  elseif #body > 0 and body[1].t == 'Header' then
    title = body[1].content
    body:remove(1)
  else
    title = pandoc.Inlines({ pandoc.Str(kinds[kind]) })
  end

  if is_typst then
    local blocks = pandoc.Blocks({
      pandoc.RawBlock('typst', '#cp-callout(kind: "' .. kind .. '", title: [' .. typst_markup(title) .. '])['),
    })
    blocks:extend(body)
    blocks:insert(pandoc.RawBlock('typst', ']'))
    return blocks
  end

  return pandoc.Div({
    pandoc.Div({ pandoc.Plain(title) }, pandoc.Attr('', { 'callout-title' })),
    pandoc.Div(body, pandoc.Attr('', { 'callout-body' })),
  }, pandoc.Attr(div.identifier, { 'callout', 'callout-' .. kind }, { role = 'note' }))
end
