--[[
The block under a figure, and figures a phone can read (runs before crossref.lua).

A notebook cell that draws a figure may follow it with a data block
(civicpulse_report.report.present.figure_data writes one):

  ::: {#fig-x .cell fig-cap="Caption" fig-alt="Fallback alt text"}
  ![](media/fig-x.svg)
  :::

  ::: {.figure-data alt="What the chart shows, from its numbers." summary="Show the data"}
  | the numbers behind the chart | ... |
  :::

Under Quarto (which runs this filter at its `pre-ast` entry point) an .ipynb cell's
outputs all stay inside its cell div, so the data block is inside the figure cell
(in a .cell-output div); it is lifted out to sit right after the cell, as above.

In every output, `alt` becomes the figure cell's fig-alt, so crossref.lua gives the
image that alt text (the HTML alt attribute and the PDF's /Alt alike). Only the block
right after a figure cell names that figure.

  HTML:  the block becomes <details class="figure-data"><summary>Show the data</summary>
         ... </details>, collapsed under the figure. Each SVG figure image gets
         data-full-width: the CSS width in px at which its smallest text is
         LEGIBLE_PX (12) CSS px, read from the SVG (viewBox width and smallest
         font-size); report.html's script offers a full-size view at that width when
         the page is narrower.
  Other formats (Typst, DOCX): the block is left out; the document's own tables and
         tables.csv hold the numbers.
]]

local is_html = FORMAT:match('html') ~= nil

-- Text in a chart shown "full size" is at least this many CSS px.
local LEGIBLE_PX = 12

local function escape_html(text)
  return (text:gsub('&', '&amp;'):gsub('<', '&lt;'):gsub('>', '&gt;'):gsub('"', '&quot;'))
end

local function is_figure_cell(block)
  return block ~= nil and block.t == 'Div' and block.identifier:match('^fig%-[%w_%-]+$') ~= nil
end

-- The width (CSS px) at which the SVG's smallest text is LEGIBLE_PX, or nil.
local function full_width(src)
  if not src:lower():match('%.svg$') then
    return nil
  end
  local ok, _, contents = pcall(pandoc.mediabag.fetch, src)
  if not ok or contents == nil then
    return nil
  end
  local width = contents:match('viewBox="%s*[-%d%.]+[%s,]+[-%d%.]+[%s,]+([%d%.]+)')
  local smallest = nil
  for size in contents:gmatch('font%-size:%s*([%d%.]+)px') do
    local value = tonumber(size)
    if value ~= nil and value > 0 and (smallest == nil or value < smallest) then
      smallest = value
    end
  end
  if width == nil or smallest == nil then
    return nil
  end
  return math.ceil(LEGIBLE_PX * tonumber(width) / smallest)
end

local function mark_images(cell)
  return cell:walk({
    Image = function(image)
      local width = full_width(image.src)
      if width ~= nil then
        image.attributes['data-full-width'] = tostring(width)
      end
      return image
    end,
  })
end

local function details(block)
  local summary = block.attributes['summary'] or 'Show the data'
  local blocks = pandoc.Blocks({
    pandoc.RawBlock('html', '<details class="figure-data">'),
    pandoc.RawBlock('html', '<summary>' .. escape_html(summary) .. '</summary>'),
  })
  blocks:extend(block.content)
  blocks:insert(pandoc.RawBlock('html', '</details>'))
  return blocks
end

local function is_data_block(block)
  return block.t == 'Div' and block.classes:includes('figure-data')
end

-- A figure cell without the data blocks inside it (Quarto's layout), and those blocks.
local function lift_data(cell)
  local lifted = pandoc.Blocks({})
  local rest = cell:walk({
    Div = function(div)
      if is_data_block(div) then
        lifted:insert(div)
        return {}
      end
      return nil
    end,
  })
  return rest, lifted
end

function Blocks(blocks)
  local queue = pandoc.Blocks({})
  for _, block in ipairs(blocks) do
    if is_figure_cell(block) then
      local cell, lifted = lift_data(block)
      queue:insert(cell)
      queue:extend(lifted)
    else
      queue:insert(block)
    end
  end
  local out = pandoc.Blocks({})
  for _, block in ipairs(queue) do
    if is_data_block(block) then
      local previous = out[#out]
      local alt = block.attributes['alt']
      if is_figure_cell(previous) and alt ~= nil and alt ~= '' then
        previous.attributes['fig-alt'] = alt
      end
      if is_html then
        out:extend(details(block))
      end
    elseif is_html and is_figure_cell(block) then
      out:insert(mark_images(block))
    else
      out:insert(block)
    end
  end
  return out
end


-- Top down: a figure cell's data blocks are lifted out before the lists inside the cell
-- are visited (bottom up, the block would be turned into <details> in place first).
return { { traverse = 'topdown', Blocks = Blocks } }
