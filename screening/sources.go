package screening

// The published sources the instruments' data was checked against. docs/instruments.md
// says which copy of each was read and what could not be verified.
var (
	srcPHQManual = Source{
		Supports: "PHQ-9 and GAD-7 wording and licence: \"All of the measures included in Table 1 are in the public domain. No permission is required to reproduce, translate, display or distribute.\"",
		Citation: "Pfizer Inc. Instruction Manual: Instructions for Patient Health Questionnaire (PHQ) and GAD-7 Measures; screeners at phqscreeners.com",
		URL:      "https://www.phqscreeners.com/",
	}
	srcPHQ9Form = Source{
		Supports: "PHQ-9 stem, item wording, response options, difficulty question; form footer: \"Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, with an educational grant from Pfizer Inc. No permission required to reproduce, translate, display or distribute.\"",
		Citation: "Patient Health Questionnaire-9 (PHQ-9), Pfizer Inc., phqscreeners.com",
		URL:      "https://www.phqscreeners.com/",
	}
	srcKroenke2001 = Source{
		Supports: "PHQ-9 scoring 0-3 per item, total 0-27; \"PHQ-9 scores of 5, 10, 15, and 20 represented mild, moderate, moderately severe, and severe depression\"; score >= 10: sensitivity 88%, specificity 88% for major depression",
		Citation: "Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression severity measure. J Gen Intern Med. 2001;16(9):606-613. PMID 11556941, PMCID PMC1495268",
		URL:      "https://pubmed.ncbi.nlm.nih.gov/11556941/",
	}
	srcSimon2013 = Source{
		Supports: "PHQ-9 item 9 predicts suicide attempt and death; the excess risk emerged over several days and kept growing over months (why item 9 above 0 hands off at once, at LevelUrgent)",
		Citation: "Simon GE, Rutter CM, Peterson D, et al. Does response on the PHQ-9 Depression Questionnaire predict subsequent suicide attempt or suicide death? Psychiatr Serv. 2013;64(12):1195-1202. doi:10.1176/appi.ps.201200587",
		URL:      "https://pubmed.ncbi.nlm.nih.gov/24036589/",
	}
	srcGAD7Form = Source{
		Supports: "GAD-7 stem, item wording and response options",
		Citation: "Generalized Anxiety Disorder 7-item (GAD-7) scale, Pfizer Inc., phqscreeners.com",
		URL:      "https://www.phqscreeners.com/",
	}
	srcSpitzer2006 = Source{
		Supports: "GAD-7 total 0-21; scores of 5, 10 and 15 are the cut points for mild, moderate and severe anxiety; a cut point of 10 gave sensitivity 89%, specificity 82% for GAD",
		Citation: "Spitzer RL, Kroenke K, Williams JBW, Löwe B. A brief measure for assessing generalized anxiety disorder: the GAD-7. Arch Intern Med. 2006;166(10):1092-1097. PMID 16717171",
		URL:      "https://pubmed.ncbi.nlm.nih.gov/16717171/",
	}
	srcZorowitz2021 = Source{
		Supports: "the lowest GAD-7 option is \"Not at all\", not the mis-copied \"Not at all sure\"",
		Citation: "Zorowitz S, et al. Lancet Psychiatry. 2021;8:180 (correspondence on a recurring GAD-7 reproduction error). doi:10.1016/S2215-0366(21)00001-8",
		URL:      "https://pubmed.ncbi.nlm.nih.gov/33610220/",
	}
	srcDolan2015 = Source{
		Supports: "the Physician Work Life Study single item is \"non-proprietary\" (unlike the licensed Maslach Burnout Inventory) and a reliable substitute for the MBI emotional-exhaustion item; its question wording",
		Citation: "Dolan ED, Mohr D, Lempa M, et al. Using a single item to measure burnout in primary care staff: a psychometric evaluation. J Gen Intern Med. 2015;30(5):582-587",
		URL:      "https://nam.edu/clinicianwellbeing/resources/using-a-single-item-to-measure-burnout-in-primary-care-staff-a-psychometric-evaluation/",
	}
	srcRohland2004 = Source{
		Supports: "validation of the single item against the Maslach Burnout Inventory among physicians",
		Citation: "Rohland BM, Kruse GR, Rohrer JE. Validation of a single-item measure of burnout against the Maslach Burnout Inventory among physicians. Stress and Health. 2004;20(2):75-79. doi:10.1002/smi.1002",
		URL:      "https://doi.org/10.1002/smi.1002",
	}
	srcNAMSingleItem = Source{
		Supports: "the item is non-proprietary; its question wording \"Overall, based on your definition of burnout, how would you rate your level of burnout?\"",
		Citation: "National Academy of Medicine, Action Collaborative on Clinician Well-Being and Resilience: Using a Single Item to Measure Burnout in Primary Care Staff: A Psychometric Evaluation",
		URL:      "https://nam.edu/clinicianwellbeing/resources/using-a-single-item-to-measure-burnout-in-primary-care-staff-a-psychometric-evaluation/",
	}
	srcWaddimba2015 = Source{
		Supports: "options 3-5 (\"burning out\" to \"completely burned out\") are the burnout range, i.e. a score of 3 or more",
		Citation: "Waddimba AC, et al. Validation of single-item screening measures for provider burnout in a rural health care network. Eval Health Prof. 2016;39(2):215-225. doi:10.1177/0163278715573866",
		URL:      "https://pubmed.ncbi.nlm.nih.gov/25716107/",
	}
)
