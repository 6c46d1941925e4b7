package redact

import "strings"

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// common holds ordinary English words, and words residents use every day, that are
// never taken for a name when they follow "patient", "my attending", "I'm" and the like
// ("my attending said", "pt refused", "I'm exhausted").
var common = wordSet(`
a about above after again against all almost alone along already also although always am an and
another any anyone anything anyway anywhere are aren't around as ask asked asking at away awful
back bad badly be because been before being below best better between big bit both but by
can can't cannot cant could couldn't couldnt crying
did didn't didnt do does doesn't doesnt doing don't dont done down during
each either else even ever every everyone everything
few for from further
get gets getting go goes going gone good got great
had hadn't has hasn't have haven't having he he's her here hers herself him himself his how however
i i'd i'll i'm i've if in into is isn't it it's its itself
just
keep keeps kind kinda know knows
last least less let like likes little lot lots
made make makes many may maybe me might mine more most much must my myself
need needs never new next no nobody none nor not nothing now
of off often ok okay old on once one only or other others our ours out over own
please pretty probably
quite
rather really right
said same say says see seems she she's should shouldn't since so some someone something sometimes soon still such sure
than that that's the their theirs them themselves then there there's these they they're thing things think this those though through to today together tomorrow tonight too totally
under until up upon us used very
was wasn't we we're were weren't what what's when where whether which while who whole whom whose why will with won't wont would wouldn't
yes yet you you're your yours yourself
able afraid alive angry anxious awake bored broken burnt burned busy calm close confused dead depressed different done drained drowning
empty exhausted fine free frustrated full glad guilty happy here home honestly hopeless hurt ill late lonely lost mad new numb
overwhelmed poor ready sad safe scared sick sorry stuck sure terrified there tired through unsafe upset useless well worried worse worthless wrong
also literally seriously basically actually really just still even also supposed trying going gonna wanna gotta
call calls called calling care cares caring check checks come comes coming cover covers crashed cried die died dies dying
feel feels felt find fine gave give gives had hate hates help helps keep kept knew leave left let lied listen listens look looks
lost love loves mean means met miss missed need pimped put ran read refuse refused refuses said saw say says screamed seem seemed sent
set show showed sleep slept started stop stopped take takes talk talked talks tell tells thinks thought threw told took tried tries
turned wants wanted went wont wrote yelled yells
admission admit attending attendings bed bay call chart clinic code consult covering day days doctor doctors ed er family floor
hospital hour hours icu intern interns kid kids list med meds medicine morning night nights note notes nurse nurses on-call pager
patient patients pd pt pts program programme resident residents room rounds schedule senior shift shifts surgery team today unit
ward week weeks wife husband work year years appointment appointments appt appts visit visits office offices
internal medical chief officer department general emergency family clinical critical intensive
`)

// titles start a name.
var titles = wordSet(`dr mr mrs ms mx miss prof professor doctor nurse`)

// notNames are capitalised words residents use that are not names after "I'm" or
// "this is": faiths, origins, states of mind and the software every hospital uses.
var notNames = wordSet(`
catholic christian jewish muslim hindu buddhist mormon atheist agnostic american canadian british
english indian asian black white latina latino latinx hispanic korean chinese mexican irish filipino
african european gay lesbian bi trans queer nonbinary okay ok fine sorry new tired here done
epic cerner
monday tuesday wednesday thursday friday saturday sunday
january february march april may june july august september october november december
christmas thanksgiving easter
god jesus lord
step boards usmle comlex ite
`)

// firstNames are common given names, taken as names wherever they appear. Names that are
// also ordinary words (Will, May, Grace, Hope, Mark, Bill, Page, Dean, Max ...) are not
// listed: they are found only after a title, "patient", "my attending" and the like.
var firstNames = wordSet(`
aaron abigail adam adrian aisha alex alexa alexander alexandra alexis ali alice alicia allison alyssa amanda amelia amir amy ana andrea andrew angela anna anne anthony antonio arjun ashley austin ava
benjamin ben beth brandon brenda brian brittany brooke caleb cameron carlos carmen caroline catherine charles charlotte chelsea chloe chris christina christine christopher cody connor courtney
daniel danielle david deborah deepa denise derek diana diego dmitri donna dylan
eduardo elena elijah elizabeth ella emily emma eric erica erin ethan eva evan
fatima fernando gabriel gabriela george greg gregory hannah heather hector helen henry
ian isaac isabel isabella jacob jake james jamal jamie jane janet jasmine jason javier jeffrey jennifer jenny jeremy jess jessica jesus jill joanna joe joel john jonathan jordan jorge jose joseph joshua juan julia julian julie justin
karen katherine kathryn katie kayla keisha kelly kenneth kevin kim kimberly kristen kyle
laura lauren leah liam linda lindsey lisa logan lucas luis luke
madison maria mariah marcus margaret maria marie marisol matthew megan melissa mia michael michelle miguel mike mohammed muhammad natalie nathan nicholas nicole noah nora
olivia omar pablo patrick paul peter priya rachel rahul raj rebecca ricardo richard robert ryan
samantha samuel sandra sara sarah scott sean sofia sophia stephanie stephen steven susan tamara tanya taylor thomas timothy tom tyler
valerie vanessa victor victoria vikram wei william xavier yasmin zachary zoe
abby andy becca becky cathy dan dani dave davey ellie gabe jen jenn jim jimmy joey jon kate katy liz lizzie matt nate nick
rob robbie sam steph steve stevie tony zach zack abe chuck dave kat meg mel nic ollie
aditya ananya deepak divya fatimah hiroshi jin jun kenji lakshmi mei min-jun nadia nikhil oluwaseun omar ravi sanjay seo-yeon shreya
sunita wen xin yuki yusuf adebayo chinedu emeka kwame nkechi tunde
`)
