--[[
Quarto-style figures, tables and cross-references for the built-in renderer.

civicpulse_report.render writes each executed cell as Quarto would:

  ::: {#fig-domains .cell fig-cap="Caption *markdown*" fig-alt="Alt text"}
  ![](media/fig-domains.png)
  :::

  ::: {#tbl-scores .cell tbl-cap="Caption"}
  | pipe | table |
  :::

This filter turns those cells into pandoc Figures and captioned Tables, numbers the
labelled ones in document order (figures and tables separately, as Quarto does),
and resolves `@fig-...` / `@tbl-...` citations:

  HTML:  captions get "Figure 1: " / "Table 1: ", references become links
         "Figure 1" to the float; the <img> alt is fig-alt (else the caption text).
  Typst: Typst numbers figures itself; references become #ref(label("...")), and
         image figures are written as raw Typst (cp-image, from typst-template.typ)
         because pandoc's Typst writer drops alt text. Every string placed in raw
         Typst goes through typst_string, and every caption through pandoc's own
         Typst writer, so names and captions are never evaluated as code.

Citations that match no float are put back as the literal text the author typed
(pandoc would otherwise emit a Typst bibliography citation, which fails to compile).
]]

local stringify = pandoc.utils.stringify
local is_typst = FORMAT:match('typst') ~= nil

local settings = {
  ['fig-title'] = 'Figure',
  ['tbl-title'] = 'Table',
  ['fig-prefix'] = 'Figure',
  ['tbl-prefix'] = 'Table',
  ['title-delim'] = ':',
}

local floats = {} -- identifier -> { kind = 'fig' | 'tbl', number = n }
local counts = { fig = 0, tbl = 0 }

local function float_kind(identifier)
  if identifier == nil then
    return nil
  end
  if identifier:match('^fig%-[%w_%-]+$') then
    return 'fig'
  elseif identifier:match('^tbl%-[%w_%-]+$') then
    return 'tbl'
  end
  return nil
end

local function typst_string(text)
  local escaped = text:gsub('\\', '\\\\'):gsub('"', '\\"'):gsub('\r?\n', ' ')
  return '"' .. escaped .. '"'
end

local function typst_markup(inlines)
  local doc = pandoc.Pandoc({ pandoc.Plain(inlines) })
  local text = pandoc.write(doc, 'typst', { wrap_text = 'wrap-none' })
  return (text:gsub('%s+$', ''))
end

local function markdown_inlines(text)
  if text == nil or text == '' then
    return pandoc.Inlines({})
  end
  return pandoc.utils.blocks_to_inlines(pandoc.read(text, 'markdown').blocks)
end

local function caption_inlines(caption)
  if caption == nil or caption.long == nil or #caption.long == 0 then
    return pandoc.Inlines({})
  end
  return pandoc.utils.blocks_to_inlines(caption.long)
end

local function images_in(blocks)
  local images = {}
  pandoc.Blocks(blocks):walk({
    Image = function(image)
      table.insert(images, image)
    end,
  })
  return images
end

local function number_label(kind, number)
  local inlines = pandoc.Inlines({})
  inlines:insert(pandoc.Str(settings[kind .. '-title']))
  inlines:insert(pandoc.Space())
  inlines:insert(pandoc.Str(tostring(number) .. settings['title-delim']))
  return pandoc.Span(inlines, pandoc.Attr('', { 'float-label' }))
end

local function with_number(kind, number, inlines)
  local result = pandoc.Inlines({ number_label(kind, number) })
  if #inlines > 0 then
    result:insert(pandoc.Space())
    result:extend(inlines)
  end
  return result
end

-- 1. Cell divs -> Figures and captioned Tables --------------------------------

local function figure_from_cell(div)
  local images = images_in(div.content)
  if #images == 0 then
    return nil
  end
  local alt = div.attributes['fig-alt']
  local content = pandoc.Blocks({})
  for _, image in ipairs(images) do
    if alt ~= nil then
      image.attributes['fig-alt'] = alt
    end
    content:insert(pandoc.Plain({ image }))
  end
  local caption = markdown_inlines(div.attributes['fig-cap'])
  local caption_blocks = #caption > 0 and { pandoc.Plain(caption) } or {}
  return pandoc.Figure(content, { long = caption_blocks }, pandoc.Attr(div.identifier))
end

local function table_from_cell(div)
  local caption = markdown_inlines(div.attributes['tbl-cap'])
  local found = false
  local content = div.content:walk({
    Table = function(tbl)
      if found then
        return nil
      end
      found = true
      tbl.identifier = div.identifier
      tbl.caption = { long = { pandoc.Plain(caption) } }
      return tbl
    end,
  })
  if found then
    return content
  end
  -- A table-labelled cell whose output is not a pipe table (an image, raw HTML):
  -- keep it as a numbered float of kind table.
  local caption_blocks = #caption > 0 and { pandoc.Plain(caption) } or {}
  return pandoc.Figure(content, { long = caption_blocks }, pandoc.Attr(div.identifier, { 'table' }))
end

local function cells_to_floats(doc)
  return doc:walk({
    Div = function(div)
      local kind = float_kind(div.identifier)
      if kind == 'fig' or (kind == nil and div.attributes['fig-cap'] ~= nil) then
        return figure_from_cell(div)
      elseif kind == 'tbl' then
        return table_from_cell(div)
      end
      return nil
    end,
  })
end

-- 2. Numbering, captions and alt text ---------------------------------------

local function set_alt(figure_caption, image)
  local alt = image.attributes['fig-alt']
  image.attributes['fig-alt'] = nil
  if alt == nil then
    alt = stringify(figure_caption)
  end
  image.caption = pandoc.Inlines({ pandoc.Str(alt) })
  return alt
end

local function typst_image_figure(figure, kind, number)
  local caption = caption_inlines(figure.caption)
  local parts = {}
  for _, image in ipairs(images_in(figure.content)) do
    local alt = set_alt(caption, image)
    local alt_arg = alt ~= '' and typst_string(alt) or 'none'
    table.insert(parts, 'cp-image(' .. typst_string(image.src) .. ', alt: ' .. alt_arg .. ')')
  end
  local body = #parts == 1 and parts[1] or ('stack(spacing: 0.8em, ' .. table.concat(parts, ', ') .. ')')
  local args = {
    body,
    'kind: image',
    'supplement: [' .. typst_markup({ pandoc.Str(settings['fig-title']) }) .. ']',
  }
  if number == nil then
    table.insert(args, 'numbering: none')
  end
  if #caption > 0 or number ~= nil then
    -- A numbered figure always has a caption, if only "Figure 1:" (as in HTML).
    table.insert(args, 'caption: [' .. typst_markup(caption) .. ']')
  end
  local code = '#figure(\n  ' .. table.concat(args, ',\n  ') .. ',\n)'
  if number ~= nil then
    code = code .. ' <' .. figure.identifier .. '>'
  end
  return pandoc.RawBlock('typst', code)
end

local function typst_other_figure(figure, kind, number)
  -- Content that is not only images (a table cell with an HTML or image output).
  local caption = caption_inlines(figure.caption)
  local args = { 'kind: ' .. (kind == 'tbl' and 'table' or 'image') }
  table.insert(args, 'supplement: [' .. typst_markup({ pandoc.Str(settings[(kind or 'fig') .. '-title']) }) .. ']')
  if number == nil then
    table.insert(args, 'numbering: none')
  end
  if #caption > 0 then
    table.insert(args, 'caption: [' .. typst_markup(caption) .. ']')
  end
  local close = number ~= nil and ('] <' .. figure.identifier .. '>') or ']'
  local blocks = pandoc.Blocks({ pandoc.RawBlock('typst', '#figure(' .. table.concat(args, ', ') .. ')[') })
  blocks:extend(figure.content)
  blocks:insert(pandoc.RawBlock('typst', close))
  return blocks
end

local function number_floats(doc)
  return doc:walk({
    traverse = 'topdown',
    Figure = function(figure)
      local kind = float_kind(figure.identifier)
      local number = nil
      if kind ~= nil then
        counts[kind] = counts[kind] + 1
        number = counts[kind]
        floats[figure.identifier] = { kind = kind, number = number }
      end
      local images = images_in(figure.content)
      local only_images = #images > 0 and kind ~= 'tbl'
      if is_typst then
        if only_images then
          return typst_image_figure(figure, kind, number), false
        end
        return typst_other_figure(figure, kind, number), false
      end
      local caption = caption_inlines(figure.caption)
      for _, image in ipairs(images) do
        set_alt(caption, image)
      end
      if number ~= nil then
        figure.caption = { long = { pandoc.Plain(with_number(kind, number, caption)) } }
      end
      return figure
    end,
    Table = function(tbl)
      local kind = float_kind(tbl.identifier)
      if kind ~= 'tbl' then
        -- A captioned table without a tbl- label keeps its caption unnumbered (as in
        -- HTML); in Typst, table-layout.lua makes it a figure with `numbering: none`,
        -- the caption inside the table's tag.
        return nil
      end
      counts.tbl = counts.tbl + 1
      floats[tbl.identifier] = { kind = 'tbl', number = counts.tbl }
      if not is_typst then
        local caption = caption_inlines(tbl.caption)
        tbl.caption = { long = { pandoc.Plain(with_number('tbl', counts.tbl, caption)) } }
      end
      return tbl
    end,
  })
end

-- 3. References --------------------------------------------------------------

local function reference(citation)
  local target = floats[citation.id]
  if is_typst then
    local args = 'label(' .. typst_string(citation.id) .. ')'
    if citation.mode == 'SuppressAuthor' then
      args = args .. ', supplement: none'
    end
    return pandoc.RawInline('typst', '#ref(' .. args .. ')')
  end
  local text = tostring(target.number)
  if citation.mode ~= 'SuppressAuthor' then
    text = settings[target.kind .. '-prefix'] .. '\u{a0}' .. text
  end
  return pandoc.Link({ pandoc.Str(text) }, '#' .. citation.id, '', pandoc.Attr('', { 'quarto-xref' }))
end

local function resolve_references(doc)
  return doc:walk({
    Cite = function(cite)
      for _, citation in ipairs(cite.citations) do
        if floats[citation.id] == nil then
          return cite.content
        end
      end
      local result = pandoc.Inlines({})
      for index, citation in ipairs(cite.citations) do
        if index > 1 then
          result:insert(pandoc.Str(','))
          result:insert(pandoc.Space())
        end
        result:extend(citation.prefix)
        if #citation.prefix > 0 then
          result:insert(pandoc.Space())
        end
        result:insert(reference(citation))
        result:extend(citation.suffix)
      end
      return result
    end,
  })
end

-- 4. Images outside figures (a cell's uncaptioned plot) -----------------------

local function standalone_images(doc)
  local function alone(block)
    if #block.content ~= 1 or block.content[1].t ~= 'Image' then
      return nil
    end
    local image = block.content[1]
    local alt = image.attributes['fig-alt']
    image.attributes['fig-alt'] = nil
    if alt ~= nil then
      image.caption = pandoc.Inlines({ pandoc.Str(alt) })
    end
    if is_typst then
      local text = stringify(image.caption)
      local alt_arg = text ~= '' and typst_string(text) or 'none'
      return pandoc.RawBlock('typst', '#block(width: 100%, cp-image(' .. typst_string(image.src) .. ', alt: ' .. alt_arg .. '))')
    end
    return block
  end
  return doc:walk({ Para = alone, Plain = alone })
end

function Pandoc(doc)
  if type(doc.meta.crossref) == 'table' then
    for key in pairs(settings) do
      if doc.meta.crossref[key] ~= nil then
        settings[key] = stringify(doc.meta.crossref[key])
      end
    end
  end
  doc = cells_to_floats(doc)
  doc = number_floats(doc)
  doc = resolve_references(doc)
  doc = standalone_images(doc)
  return doc
end
